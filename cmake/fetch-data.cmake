# SPDX-License-Identifier: MIT
# Verified downloads of the data sets xtnn's loaders read (docs/data.md):
#
#   cmake -P cmake/fetch-data.cmake [DATASET...] [DIR]
#   cmake -P cmake/fetch-data.cmake --list
#
# DATASET: one or more of the names `--list` prints (default: mnist). DIR: the data folder,
# default $XTNN_DATA_DIR, else ./data (the folder the programs read without --data). Each data
# set goes to DIR/<folder>/ under the usual file names. Every file is checked against the
# SHA-256 (and, where one is published, the MD5) written below before it gets its final name:
# it is downloaded to a temporary name in the same folder and renamed only when verified. A
# file already present and verified is not downloaded again.
#
# XTNN_DATA_MIRROR (environment or -D): a list of base URLs (separated by `;` or white space),
# tried in order INSTEAD of the known mirrors; each serves URL/<folder>/<file name>, the layout
# of DIR itself, so a copy of a data folder works (file:///path/to/data).
#
# The hashes are written here, not downloaded: a mirror can only serve the published bytes.
# file(DOWNLOAD ... EXPECTED_HASH) is not used, because in CMake (3.25) a mismatch there is a
# fatal error that stops the script before the next mirror is tried (and leaves the file);
# the script hashes the temporary file itself with file(SHA256) and file(MD5) instead.
cmake_minimum_required(VERSION 3.20)

# --- The catalog -------------------------------------------------------------------------
# _xtnn_file(FOLDER NAME SIZE SHA256 MD5): one file as published. SIZE or MD5 may be "-"
# when no source publishes it.
macro(_xtnn_file folder name size sha256 md5)
    set(_size_${folder}/${name} "${size}")
    set(_sha256_${folder}/${name} "${sha256}")
    set(_md5_${folder}/${name} "${md5}")
endmacro()

set(_mnist_files train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
                 t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

# MNIST (Y. LeCun, C. Cortes, C. Burges). SHA-256 and sizes: TensorFlow Datasets,
# tensorflow_datasets/url_checksums/mnist.txt (commit 31f1255e57e5). MD5: torchvision,
# torchvision/datasets/mnist.py (MNIST.resources). Both checked on the files of
# ../shared/data/mnist, whose MD5SUMS they match.
_xtnn_file(mnist train-images-idx3-ubyte.gz 9912422
    440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 f68b3c2dcbeaaa9fbdd348bbdeb94873)
_xtnn_file(mnist train-labels-idx1-ubyte.gz 28881
    3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c d53e105ee54ea40749a09fcbcd1e9432)
_xtnn_file(mnist t10k-images-idx3-ubyte.gz 1648877
    8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 9fb629c4189551a2d022fa330f9573f3)
_xtnn_file(mnist t10k-labels-idx1-ubyte.gz 4542
    f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6 ec29112dd5afa0611ce80d1b7f02629c)

# Fashion-MNIST (Zalando Research). SHA-256 and sizes: TensorFlow Datasets,
# url_checksums/fashion_mnist.txt (commit 333639b37af6). MD5: the README of
# zalandoresearch/fashion-mnist and torchvision's FashionMNIST.resources (the same four). The
# two label files, as committed in zalandoresearch/fashion-mnist (data/fashion/, commit
# b2617bb6d3ff), have exactly these SHA-256 and MD5 values.
_xtnn_file(fashion-mnist train-images-idx3-ubyte.gz 26421880
    3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84 8d4fb7e6c68d591d4c3dfef9ec88bf0d)
_xtnn_file(fashion-mnist train-labels-idx1-ubyte.gz 29515
    a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845 25c81989df183df01b3e8a0aad5dffbe)
_xtnn_file(fashion-mnist t10k-images-idx3-ubyte.gz 4422102
    346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073 bef4ecab320f06d8554ea6380940ec79)
_xtnn_file(fashion-mnist t10k-labels-idx1-ubyte.gz 5148
    67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5 bb300cfdad3c16e7a12a480ee83cd310)

# Kuzushiji-MNIST (ROIS-DS Center for Open Data in the Humanities), the 10-class set.
# SHA-256 and sizes: TensorFlow Datasets, url_checksums/kmnist.txt (commit 333639b37af6).
# MD5: torchvision's KMNIST.resources.
_xtnn_file(kmnist train-images-idx3-ubyte.gz 18165135
    51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4 bdb82020997e1d708af4cf47b453dcf7)
_xtnn_file(kmnist train-labels-idx1-ubyte.gz 29497
    e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17 e144d726b3acfaa3e44228e80efcd344)
_xtnn_file(kmnist t10k-images-idx3-ubyte.gz 3041136
    edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5 5c965bf0a639b31b8f53240b1b52f4d7)
_xtnn_file(kmnist t10k-labels-idx1-ubyte.gz 5120
    20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c 7320c461ea6c1c855c0b718fb2a4b134)

# notMNIST in MNIST format: the files of github.com/davidflanagan/notMNIST-to-MNIST (commit
# c58c29ff93d7 added them; unchanged at 17823f4d4a3a). No source publishes their SHA-256: the
# three files below 4 MB were hashed here from a snapshot of that repository, and their MD5
# values equal the ones published for these URLs in public download code (two independent
# copies: a torchvision NotMNIST subclass and a table of MD5-CHECKSUMS). The train-images
# file (4 MB or more) was not in the snapshot, so it is checked by that published MD5 only
# (git blob 6cf3076b36bafa7da1563b28bbe863fd78a008a8 in the repository), its size unchecked.
_xtnn_file(notmnist train-images-idx3-ubyte.gz - - d916d7283fce4d08db9867c640ec0042)
_xtnn_file(notmnist train-labels-idx1-ubyte.gz 29455
    0db4c4ec5d019838a57f8c9dd764ada7dc3c73e6ccc93032c538c5845f332545 eab59f88903339e01dac19deed3824c0)
_xtnn_file(notmnist t10k-images-idx3-ubyte.gz 3172375
    70ae9e06201f2827e5b0a3781a3169d735dd2efc69996b9eeaee7f10ed4044d7 2c87c839a4ef9b238846600eec8c35b7)
_xtnn_file(notmnist t10k-labels-idx1-ubyte.gz 5118
    1fa03836e01c862542f8eb83463bb951bebec6fcb3efa28dad748c6b38a9021b 7ea9118cbafd0f6e3ee2ad771d782a01)

# EMNIST (G. Cohen, S. Afshar, J. Tapson, A. van Schaik, 2017): NIST publishes one zip of all
# six splits. SHA-256 and size: TensorFlow Datasets, url_checksums/emnist.txt (commit
# 333639b37af6), the same value in several independent download scripts. MD5: torchvision's
# EMNIST.md5. The split's files are taken out of the verified zip (their own hashes are not
# published), and the zip is kept in DIR/emnist/: it is what they are checked against on the
# next run, and what the other five splits come from without another 536 MB download.
_xtnn_file(emnist gzip.zip 561753746
    fb9bb67e33772a9cc0b895e4ecf36d2cf35be8b709693c3564cea2a019fcda8e 58c8d27c78d21e728a6bc7b3cc06412e)

# The book's pretrained network (Deep Learning from Scratch, ch03/sample_weight.pkl in
# oreilly-japan/deep-learning-from-scratch, commit 07b11618cdb5, MIT). MD5 as published with
# the book's data (../shared/data/SOURCES.md); SHA-256 computed here from that same file.
_xtnn_file(dlfs sample_weight.pkl 181853
    b7f55a27988ba34c3777b0f1bbd464817c8a4db855723e6ff26f703501917a13 6aaf4fbaa5b675aae4fc669115b10e4f)

# The data sets: folder, files, mirrors (base URLs; the file name is appended) and a line
# for --list.
set(_datasets mnist fashion-mnist kmnist notmnist
    emnist-digits emnist-letters emnist-balanced emnist-mnist emnist-byclass emnist-bymerge dlfs)

set(_folder_mnist mnist)
set(_files_mnist ${_mnist_files})
# torchvision's order: the LeCun site is often down or slow, so it comes last.
set(_mirrors_mnist https://ossci-datasets.s3.amazonaws.com/mnist/
                   https://storage.googleapis.com/cvdf-datasets/mnist/
                   http://yann.lecun.com/exdb/mnist/)
set(_about_mnist "11.1 MiB; 10 digits, 60000 train + 10000 test; Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0")

set(_folder_fashion-mnist fashion-mnist)
set(_files_fashion-mnist ${_mnist_files})
set(_mirrors_fashion-mnist http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/
    https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/)
set(_about_fashion-mnist "29.4 MiB; 10 kinds of clothing, 60000 + 10000; Zalando Research; MIT")

set(_folder_kmnist kmnist)
set(_files_kmnist ${_mnist_files})
set(_mirrors_kmnist https://codh.rois.ac.jp/kmnist/dataset/kmnist/
                    http://codh.rois.ac.jp/kmnist/dataset/kmnist/)
set(_about_kmnist "20.3 MiB; 10 hiragana (Kuzushiji), 60000 + 10000; ROIS-DS CODH; CC BY-SA 4.0")

set(_folder_notmnist notmnist)
set(_files_notmnist ${_mnist_files})
set(_mirrors_notmnist
    https://raw.githubusercontent.com/davidflanagan/notMNIST-to-MNIST/17823f4d4a3acd8317c07866702d2eb2ac79c7a0/
    https://github.com/davidflanagan/notMNIST-to-MNIST/raw/master/)
set(_about_notmnist "3.0 MiB + the train images (size unpublished); 10 letters A-J in many fonts, 60000 + 10000; Y. Bulatov's notMNIST, sampled by D. Flanagan (github.com/davidflanagan/notMNIST-to-MNIST, MIT, posted with the author's permission)")

foreach(_split digits letters balanced mnist byclass bymerge)
    set(_folder_emnist-${_split} emnist)
    set(_archive_emnist-${_split} gzip.zip)
    set(_files_emnist-${_split} emnist-${_split}-train-images-idx3-ubyte.gz
        emnist-${_split}-train-labels-idx1-ubyte.gz emnist-${_split}-test-images-idx3-ubyte.gz
        emnist-${_split}-test-labels-idx1-ubyte.gz)
    set(_mirrors_emnist-${_split} https://biometrics.nist.gov/cs_links/EMNIST/
                                  https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/)
endforeach()
set(_emnist_about "536 MiB zip of all six splits, kept in emnist/; NIST, no licence stated (cite Cohen et al. 2017)")
set(_about_emnist-digits "10 digits, 240000 + 40000; ${_emnist_about}")
set(_about_emnist-letters "26 letters (labels 1-26), 124800 + 20800; ${_emnist_about}")
set(_about_emnist-balanced "47 classes, 112800 + 18800; ${_emnist_about}")
set(_about_emnist-mnist "10 digits, 60000 + 10000; ${_emnist_about}")
set(_about_emnist-byclass "62 classes, 697932 + 116323, unbalanced; ${_emnist_about}")
set(_about_emnist-bymerge "47 classes, 697932 + 116323, unbalanced; ${_emnist_about}")

set(_folder_dlfs dlfs)
set(_files_dlfs sample_weight.pkl)
set(_mirrors_dlfs
    https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch/07b11618cdb5d5f78ad45464de0730efc07b0a4a/ch03/
    https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch/master/ch03/)
set(_about_dlfs "178 KiB; the book's pretrained 784-50-100-10 network (Deep Learning from Scratch, K. Saitoh); MIT")

# --- Messages ----------------------------------------------------------------------------
function(_xtnn_say text)
    message("fetch-data: ${text}")
endfunction()

# A refusal: the explanation unwrapped on stderr (message(FATAL_ERROR) reflows its text),
# then the error that makes cmake exit with a non-zero status.
function(_xtnn_fail)
    string(JOIN "" _text ${ARGV})  # the arguments are pieces of one text
    message(NOTICE "fetch-data: error: ${_text}")
    message(FATAL_ERROR "fetch-data: failed")
endfunction()

function(_xtnn_usage)
    string(JOIN " " _names ${_datasets})
    message("usage: cmake -P fetch-data.cmake [DATASET...] [DIR]\n"
            "       cmake -P fetch-data.cmake --list\n"
            "DATASET: ${_names} (default: mnist)\n"
            "DIR: the data folder (default: $XTNN_DATA_DIR, else ./data)\n"
            "XTNN_DATA_MIRROR: base URLs tried instead of the known mirrors (URL/<folder>/<file>)")
endfunction()

function(_xtnn_list)
    message("Known data sets (folder in DIR; size; classes; source; licence):")
    foreach(_name ${_datasets})
        string(LENGTH "${_name}" _length)
        math(EXPR _pad "17 - ${_length}")
        string(REPEAT " " ${_pad} _spaces)
        message("  ${_name}${_spaces}${_folder_${_name}}/: ${_about_${_name}}")
    endforeach()
    message("Hashes, sources and how to place the files by hand: docs/data.md")
endfunction()

# --- Arguments ---------------------------------------------------------------------------
set(_requested "")
set(_dir "")
math(EXPR _last "${CMAKE_ARGC} - 1")
set(_first_argument "")
foreach(_i RANGE 1 ${_last})
    if(CMAKE_ARGV${_i} STREQUAL "-P")
        math(EXPR _first_argument "${_i} + 2")  # after `-P <script>`
        break()
    endif()
endforeach()
if(_first_argument STREQUAL "" OR _first_argument GREATER _last)
    set(_arguments "")
else()
    set(_arguments "")
    foreach(_i RANGE ${_first_argument} ${_last})
        list(APPEND _arguments "${CMAKE_ARGV${_i}}")
    endforeach()
endif()

foreach(_argument IN LISTS _arguments)
    if(_argument STREQUAL "--list" OR _argument STREQUAL "list")
        _xtnn_list()
        return()
    elseif(_argument STREQUAL "--help" OR _argument STREQUAL "-h")
        _xtnn_usage()
        return()
    elseif(_argument STREQUAL "--")
        continue()
    elseif(_argument IN_LIST _datasets)
        list(APPEND _requested "${_argument}")
    # The directory: anything that looks like a path, an existing folder, or `data`. Any
    # other word is refused, so that a misspelt name does not become a new folder.
    elseif(_argument MATCHES "[/\\:]" OR _argument MATCHES "^[.~]" OR _argument STREQUAL "data"
           OR IS_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${_argument}")
        if(NOT _dir STREQUAL "")
            _xtnn_usage()
            _xtnn_fail("two directories given, '${_dir}' and '${_argument}'")
        endif()
        set(_dir "${_argument}")
    else()
        string(JOIN ", " _names ${_datasets})
        _xtnn_fail("unknown data set '${_argument}'.\n"
            "Known data sets: ${_names} (cmake -P fetch-data.cmake --list describes them).\n"
            "To fetch into a new folder of that name, write it as a path: ./${_argument}")
    endif()
endforeach()
if(_requested STREQUAL "")
    set(_requested mnist)
endif()
list(REMOVE_DUPLICATES _requested)
if(_dir STREQUAL "")
    if(NOT "$ENV{XTNN_DATA_DIR}" STREQUAL "")
        set(_dir "$ENV{XTNN_DATA_DIR}")
    else()
        set(_dir data)
    endif()
endif()
get_filename_component(_dir "${_dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

# The mirror override: the environment, else -DXTNN_DATA_MIRROR=...
set(_override "$ENV{XTNN_DATA_MIRROR}")
if(_override STREQUAL "" AND DEFINED XTNN_DATA_MIRROR)
    set(_override "${XTNN_DATA_MIRROR}")
endif()
string(REGEX REPLACE "[ \t\r\n;]+" ";" _override "${_override}")
list(FILTER _override EXCLUDE REGEX "^$")

# --- Checking and downloading one file ---------------------------------------------------
# _xtnn_check(FILE KEY OUT): OUT is empty when FILE has the published size and hashes of KEY
# (folder/name), else says what differs.
function(_xtnn_check file key out)
    set(_problems "")
    file(SIZE "${file}" _size)
    if(NOT "${_size_${key}}" STREQUAL "-" AND NOT _size EQUAL "${_size_${key}}")
        list(APPEND _problems "size ${_size} bytes, expected ${_size_${key}}")
    endif()
    # Each published hash ("-" where none is), SHA-256 first: _sha256_<key>, _md5_<key>.
    foreach(_algorithm "SHA256;sha256;SHA-256" "MD5;md5;MD5")
        list(GET _algorithm 0 _command)
        list(GET _algorithm 1 _variable)
        list(GET _algorithm 2 _label)
        set(_expected "${_${_variable}_${key}}")
        if(NOT _expected STREQUAL "-")
            file(${_command} "${file}" _actual)
            if(NOT _actual STREQUAL _expected)
                list(APPEND _problems "${_label} ${_actual}, expected ${_expected}")
            endif()
        endif()
    endforeach()
    string(JOIN ", " _problems ${_problems})
    set(${out} "${_problems}" PARENT_SCOPE)
endfunction()

# The failures of this run, one entry per file: its key, then "URL: error" lines.
set(_failures "")

# _xtnn_fetch(FOLDER NAME MIRRORS...): makes DIR/FOLDER/NAME a verified copy, downloading it
# when it is missing or wrong. Sets _ok in the caller's scope.
function(_xtnn_fetch folder name)
    set(_key "${folder}/${name}")
    set(_final "${_dir}/${folder}/${name}")
    set(_aside "${_final}.bad")
    set(_mirrors ${ARGN})
    file(MAKE_DIRECTORY "${_dir}/${folder}")

    if(EXISTS "${_final}")
        _xtnn_check("${_final}" "${_key}" _problem)
        if(_problem STREQUAL "")
            _xtnn_say("${_key}: present and verified, skipped")
            set(_ok TRUE PARENT_SCOPE)
            return()
        endif()
        # Never a bad file under the final name: moved aside now, removed once a verified
        # copy has replaced it, kept (for a look) if none could be had.
        _xtnn_say("${_key}: present but wrong (${_problem}); moved to ${name}.bad, fetching it again")
        file(RENAME "${_final}" "${_aside}")
    endif()

    # A temporary name in the same folder, so that the final rename cannot cross file
    # systems. Leftovers of an interrupted run (same file, any suffix) are removed first.
    file(GLOB _stale "${_dir}/${folder}/.${name}.part-*")
    if(_stale)
        file(REMOVE ${_stale})
    endif()
    string(RANDOM LENGTH 8 _suffix)
    set(_part "${_dir}/${folder}/.${name}.part-${_suffix}")

    # A total time proportional to the size (no slower than 100 kB/s on average), and at most
    # 30 s without a byte: an unreachable or stalled mirror does not hang the script.
    set(_timeout 600)  # the size is unknown (notMNIST's train images)
    if(NOT "${_size_${_key}}" STREQUAL "-")
        math(EXPR _timeout "120 + ${_size_${_key}} / 100000")
    endif()
    set(_progress "")
    if("${_size_${_key}}" STREQUAL "-" OR "${_size_${_key}}" GREATER 20000000)
        set(_progress SHOW_PROGRESS)
    endif()

    set(_tried "")
    foreach(_base IN LISTS _mirrors)
        string(REGEX REPLACE "/+$" "" _base "${_base}")
        set(_url "${_base}/${name}")
        _xtnn_say("${_key}: downloading ${_url}")
        file(DOWNLOAD "${_url}" "${_part}" STATUS _status LOG _log
             TIMEOUT ${_timeout} INACTIVITY_TIMEOUT 30 ${_progress})
        list(GET _status 0 _code)
        list(GET _status 1 _text)
        string(REGEX REPLACE "^\"(.*)\"$" "\\1" _text "${_text}")
        if(NOT _code EQUAL 0)
            set(_error "${_text} (curl error ${_code})")
            # The HTTP status line, when the server sent one (the last, after redirects).
            string(REGEX MATCHALL "HTTP/[0-9.]+ [0-9][0-9][0-9][^\r\n]*" _lines "${_log}")
            if(_lines)
                list(GET _lines -1 _line)
                string(STRIP "${_line}" _line)
                set(_error "${_line}: ${_error}")
            endif()
        else()
            _xtnn_check("${_part}" "${_key}" _error)
            if(NOT _error STREQUAL "")
                set(_error "refused, ${_error}")
            endif()
        endif()
        if(_error STREQUAL "")
            file(RENAME "${_part}" "${_final}")
            if(EXISTS "${_aside}")
                file(REMOVE "${_aside}")
            endif()
            _xtnn_say("${_key}: verified, saved as ${_final}")
            set(_ok TRUE PARENT_SCOPE)
            return()
        endif()
        file(REMOVE "${_part}")  # a failed download leaves an empty or partial file
        _xtnn_say("${_key}: ${_url}: ${_error}")
        list(APPEND _tried "    ${_url}: ${_error}")
    endforeach()

    if(EXISTS "${_aside}")
        list(APPEND _tried "    (the wrong file that was there is kept as ${_aside})")
    endif()
    if(_mirrors STREQUAL "")
        list(APPEND _tried "    no mirror to try")
    endif()
    list(APPEND _failures "${_key}" ${_tried})
    set(_failures "${_failures}" PARENT_SCOPE)
    set(_ok FALSE PARENT_SCOPE)
endfunction()

# _xtnn_mirrors(DATASET FOLDER OUT): the override if set, else the known mirrors.
function(_xtnn_mirrors dataset folder out)
    if(_override)
        set(_list "")
        foreach(_base IN LISTS _override)
            string(REGEX REPLACE "/+$" "" _base "${_base}")
            list(APPEND _list "${_base}/${folder}/")
        endforeach()
    else()
        set(_list ${_mirrors_${dataset}})
    endif()
    set(${out} ${_list} PARENT_SCOPE)
endfunction()

# _xtnn_extract(DATASET): DIR/emnist/<split files> from the verified zip. Each is put in
# place from a fresh extraction (libarchive checks the zip's CRC-32), unless the file there
# is already identical to it.
function(_xtnn_extract dataset)
    set(_folder "${_folder_${dataset}}")
    set(_zip "${_dir}/${_folder}/${_archive_${dataset}}")
    string(REPLACE "emnist-" "" _split "${dataset}")
    file(GLOB _stale LIST_DIRECTORIES true "${_dir}/${_folder}/.extract-*")
    if(_stale)
        file(REMOVE_RECURSE ${_stale})  # left by an interrupted run
    endif()
    string(RANDOM LENGTH 8 _suffix)
    set(_scratch "${_dir}/${_folder}/.extract-${_suffix}")
    # A zip without any file of the split stops the script here (CMake's own error); NIST's
    # zip, which the SHA-256 check has just confirmed, holds all six.
    file(ARCHIVE_EXTRACT INPUT "${_zip}" DESTINATION "${_scratch}"
         PATTERNS "gzip/emnist-${_split}-*")
    set(_missing "")
    foreach(_name ${_files_${dataset}})
        if(NOT EXISTS "${_scratch}/gzip/${_name}")
            list(APPEND _missing "${_name}")
        endif()
    endforeach()
    # The four IDX files, and the split's label-to-character mapping (-mapping.txt) with them.
    file(GLOB _extracted RELATIVE "${_scratch}/gzip" "${_scratch}/gzip/emnist-${_split}-*")
    foreach(_name ${_extracted})
        set(_new "${_scratch}/gzip/${_name}")
        set(_final "${_dir}/${_folder}/${_name}")
        file(SHA256 "${_new}" _expected)
        if(EXISTS "${_final}")
            file(SHA256 "${_final}" _present)
            if(_present STREQUAL _expected)
                _xtnn_say("${_folder}/${_name}: present and identical to the verified zip's, skipped")
                continue()
            endif()
            _xtnn_say("${_folder}/${_name}: present but not the zip's (SHA-256 ${_present}), replaced")
            file(REMOVE "${_final}")
        endif()
        file(RENAME "${_new}" "${_final}")
        _xtnn_say("${_folder}/${_name}: extracted from the verified zip (SHA-256 ${_expected})")
    endforeach()
    file(REMOVE_RECURSE "${_scratch}")
    if(_missing)
        string(JOIN ", " _missing ${_missing})
        list(APPEND _failures "${_folder}/${_archive_${dataset}}"
             "    the verified zip holds no gzip/${_missing}")
        set(_failures "${_failures}" PARENT_SCOPE)
    endif()
endfunction()

# --- The run -----------------------------------------------------------------------------
string(JOIN " " _requested_text ${_requested})
_xtnn_say("${_requested_text} into ${_dir}")
if(_override)
    string(JOIN " " _override_text ${_override})
    _xtnn_say("XTNN_DATA_MIRROR is set: only ${_override_text} will be tried")
endif()

foreach(_dataset ${_requested})
    set(_folder "${_folder_${_dataset}}")
    _xtnn_mirrors("${_dataset}" "${_folder}" _mirrors)
    if(DEFINED _archive_${_dataset})
        set(_archive "${_archive_${_dataset}}")
        _xtnn_fetch("${_folder}" "${_archive}" ${_mirrors})
        if(_ok)
            _xtnn_extract("${_dataset}")
        endif()
    else()
        foreach(_name ${_files_${_dataset}})
            _xtnn_fetch("${_folder}" "${_name}" ${_mirrors})
        endforeach()
    endif()
endforeach()

if(_failures STREQUAL "")
    _xtnn_say("done: ${_requested_text} verified in ${_dir}")
    return()
endif()

# Every URL tried and its error, then what to put where by hand.
set(_report "")
foreach(_line IN LISTS _failures)
    if(_line MATCHES "^    ")
        string(APPEND _report "${_line}\n")
    else()
        string(APPEND _report "  ${_line} could not be fetched; tried:\n")
    endif()
endforeach()
set(_by_hand "")
foreach(_key IN LISTS _failures)
    if(_key MATCHES "^    ")
        continue()  # a URL line, not a file
    endif()
    set(_line "  ${_dir}/${_key}")
    if(NOT "${_sha256_${_key}}" STREQUAL "-")
        string(APPEND _line "  sha256 ${_sha256_${_key}}")
    endif()
    if(NOT "${_md5_${_key}}" STREQUAL "-")
        string(APPEND _line "  md5 ${_md5_${_key}}")
    endif()
    string(APPEND _by_hand "${_line}\n")
endforeach()
message(NOTICE "fetch-data: error: could not fetch every file.\n${_report}"
    "To place the files by hand, download them from any copy and put them here (check with "
    "sha256sum; then run this again, which verifies them and skips what is there):\n${_by_hand}"
    "Or point XTNN_DATA_MIRROR at a server or folder holding <folder>/<file name> "
    "(e.g. XTNN_DATA_MIRROR=file:///path/to/other/data). See docs/data.md.")
message(FATAL_ERROR "fetch-data: failed")
