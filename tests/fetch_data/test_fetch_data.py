#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of cmake/fetch-data.cmake against a local HTTP server, never the internet.

    test_fetch_data.py CMAKE SCRIPT CASE

Each case starts `python3 -m http.server --bind 127.0.0.1` on a free port (port 0: the server
picks one and prints it) over a temporary folder, runs the script with XTNN_DATA_MIRROR
pointing at it (so only 127.0.0.1 is ever asked), checks what it printed and left on disk,
and stops the server and removes the folder even when a check fails. The cases that need the
real MNIST files take them from $XTNN_DATA_DIR/mnist and exit with 77 (skipped) without them.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
MNIST = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
SMALL = "t10k-labels-idx1-ubyte.gz"  # the file the corruption cases spoil (4542 bytes)
SMALL_SHA256 = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"


class Failure(Exception):
    pass


def mnist_source():
    data = os.environ.get("XTNN_DATA_DIR", "")
    folder = os.path.join(data, "mnist")
    if not data or not all(os.path.isfile(os.path.join(folder, f)) for f in MNIST):
        print("skipped: the four MNIST files are not in $XTNN_DATA_DIR/mnist "
              f"(XTNN_DATA_DIR={data!r})")
        sys.exit(SKIP)
    return folder


class Server:
    """python3 -m http.server on 127.0.0.1, on a port it chose itself."""

    def __init__(self, root):
        os.makedirs(root, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
             "--directory", root],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...) ..."
        match = re.search(r"port (\d+)", line)
        if not match:
            self.stop()
            raise Failure(f"http.server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


def closed_port():
    """A port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root, folder, files, source, spoil=None):
    """Copies files from source to root/folder/; spoil(bytes) -> bytes alters SMALL."""
    target = os.path.join(root, folder)
    os.makedirs(target, exist_ok=True)
    for name in files:
        with open(os.path.join(source, name), "rb") as f:
            data = f.read()
        if spoil and name == SMALL:
            data = spoil(data)
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)


def flip_one_byte(data):
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def truncate(data):
    return data[:len(data) // 2]


class Run:
    def __init__(self, cmake, script, args, mirrors, cwd):
        env = dict(os.environ)
        env.pop("XTNN_DATA_DIR", None)  # the script's default DIR; every case names DIR
        env["XTNN_DATA_MIRROR"] = " ".join(mirrors)
        start = time.monotonic()
        result = subprocess.run([cmake, "-P", script] + args, cwd=cwd, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=120)
        self.seconds = time.monotonic() - start
        self.code = result.returncode
        self.output = result.stdout
        print(f"$ XTNN_DATA_MIRROR='{env['XTNN_DATA_MIRROR']}' cmake -P {script} "
              f"{' '.join(args)}\n{self.output}(exit {self.code}, {self.seconds:.1f} s)\n")

    def expect(self, pattern):
        if not re.search(pattern, self.output, re.MULTILINE):
            raise Failure(f"the output does not match: {pattern}")

    def expect_code(self, ok):
        if (self.code == 0) != ok:
            raise Failure(f"exit status {self.code}, expected {'0' if ok else 'non-zero'}")


def sha256(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_folder(folder, expected):
    """folder holds exactly the files expected (no temporary or leftover file)."""
    present = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    if present != sorted(expected):
        raise Failure(f"{folder} holds {present}, expected {sorted(expected)}")


def re_url(url):
    return re.escape(url)


def case_good(cmake, script, work):
    """All four files from the server, verified; then a second run skips all four."""
    source = mnist_source()
    with_server = Server(os.path.join(work, "www"))
    try:
        serve(os.path.join(work, "www"), "good/mnist", MNIST, source)
        out = os.path.join(work, "out")
        run = Run(cmake, script, ["mnist", out], [with_server.url + "/good"], work)
        run.expect_code(True)
        for name in MNIST:
            run.expect(rf"^fetch-data: mnist/{re.escape(name)}: downloading "
                       + re_url(f"{with_server.url}/good/mnist/{name}") + "$")
            run.expect(rf"^fetch-data: mnist/{re.escape(name)}: verified, saved as ")
            if sha256(os.path.join(out, "mnist", name)) != sha256(os.path.join(source, name)):
                raise Failure(f"{name} differs from the source")
        run.expect(r"^fetch-data: done: mnist verified in ")
        check_folder(os.path.join(out, "mnist"), MNIST)

        again = Run(cmake, script, ["mnist", out], [with_server.url + "/good"], work)
        again.expect_code(True)
        for name in MNIST:
            again.expect(rf"^fetch-data: mnist/{re.escape(name)}: present and verified, skipped$")
        if "downloading" in again.output:
            raise Failure("the second run downloaded again")
    finally:
        with_server.stop()


def spoilt_case(cmake, script, work, spoil, pattern):
    """SMALL served spoilt: refused and deleted, nothing under its final name."""
    source = mnist_source()
    www = os.path.join(work, "www")
    server = Server(www)
    try:
        serve(www, "bad/mnist", [SMALL], source, spoil)
        out = os.path.join(work, "out")
        serve(out, "mnist", [n for n in MNIST if n != SMALL], source)  # the others are there
        run = Run(cmake, script, ["mnist", out], [server.url + "/bad"], work)
        run.expect_code(False)
        url = re_url(f"{server.url}/bad/mnist/{SMALL}")
        run.expect(rf"^fetch-data: mnist/{re.escape(SMALL)}: {url}: refused, {pattern}")
        run.expect(r"^fetch-data: error: could not fetch every file\.$")
        run.expect(rf"^  mnist/{re.escape(SMALL)} could not be fetched; tried:$")
        run.expect(rf"^    {url}: refused, ")
        run.expect(r"^To place the files by hand, ")
        run.expect(rf"^  .*/mnist/{re.escape(SMALL)}  sha256 {SMALL_SHA256}  md5 ")
        run.expect(r"fetch-data: failed")
        # Neither the spoilt download (under any name) nor anything under the final name.
        check_folder(os.path.join(out, "mnist"), [n for n in MNIST if n != SMALL])
    finally:
        server.stop()


def case_corrupted(cmake, script, work):
    spoilt_case(cmake, script, work, flip_one_byte,
                rf"SHA-256 [0-9a-f]{{64}}, expected {SMALL_SHA256}, MD5 ")


def case_truncated(cmake, script, work):
    spoilt_case(cmake, script, work, truncate, r"size 2271 bytes, expected 4542, SHA-256 ")


def case_mirror_404(cmake, script, work):
    """The first mirror answers 404 for every file, the second has them."""
    source = mnist_source()
    www = os.path.join(work, "www")
    server = Server(www)
    try:
        os.makedirs(os.path.join(www, "empty"))
        serve(www, "good/mnist", MNIST, source)
        out = os.path.join(work, "out")
        run = Run(cmake, script, ["mnist", out], [server.url + "/empty", server.url + "/good"],
                  work)
        run.expect_code(True)
        for name in MNIST:
            run.expect(rf"^fetch-data: mnist/{re.escape(name)}: "
                       + re_url(f"{server.url}/empty/mnist/{name}") + r": HTTP/1\.[01] 404 ")
            run.expect(rf"^fetch-data: mnist/{re.escape(name)}: downloading "
                       + re_url(f"{server.url}/good/mnist/{name}") + "$")
            run.expect(rf"^fetch-data: mnist/{re.escape(name)}: verified, saved as ")
        check_folder(os.path.join(out, "mnist"), MNIST)
    finally:
        server.stop()


def case_wrong_present(cmake, script, work):
    """A wrong file already under the final name is moved aside, replaced, then removed."""
    source = mnist_source()
    www = os.path.join(work, "www")
    server = Server(www)
    try:
        serve(www, "good/mnist", MNIST, source)
        out = os.path.join(work, "out")
        serve(out, "mnist", MNIST, source, flip_one_byte)
        run = Run(cmake, script, ["mnist", out], [server.url + "/good"], work)
        run.expect_code(True)
        run.expect(rf"^fetch-data: mnist/{re.escape(SMALL)}: present but wrong \(SHA-256 "
                   rf"[0-9a-f]{{64}}, expected {SMALL_SHA256}, MD5 .*\); moved to {SMALL}\.bad")
        run.expect(rf"^fetch-data: mnist/{re.escape(SMALL)}: verified, saved as ")
        if sha256(os.path.join(out, "mnist", SMALL)) != SMALL_SHA256:
            raise Failure("the wrong file was not replaced")
        check_folder(os.path.join(out, "mnist"), MNIST)
    finally:
        server.stop()


def case_unknown_name(cmake, script, work):
    """A misspelt name is refused with the list, and no folder is made for it."""
    run = Run(cmake, script, ["fashon-mnist"], ["http://127.0.0.1:1"], work)
    run.expect_code(False)
    run.expect(r"^fetch-data: error: unknown data set 'fashon-mnist'\.$")
    run.expect(r"^Known data sets: mnist, fashion-mnist, kmnist, notmnist, emnist-digits, "
               r"emnist-letters, emnist-balanced, emnist-mnist, emnist-byclass, emnist-bymerge, dlfs")
    if os.listdir(work):
        raise Failure(f"the refused run left {os.listdir(work)} in {work}")
    two = Run(cmake, script, ["mnist", "./a", "./b"], ["http://127.0.0.1:1"], work)
    two.expect_code(False)
    two.expect(r"^fetch-data: error: two directories given, '\./a' and '\./b'$")


def case_unreachable(cmake, script, work):
    """A closed port fails at once, naming the URL; no file is left."""
    url = f"http://127.0.0.1:{closed_port()}"
    out = os.path.join(work, "out")
    run = Run(cmake, script, ["mnist", out], [url], work)
    run.expect_code(False)
    if run.seconds > 20:
        raise Failure(f"took {run.seconds:.0f} s to give up on a closed port")
    for name in MNIST:
        run.expect(rf"^    {re_url(url + '/mnist/' + name)}: Couldn't connect to server \(curl error 7\)$")
    check_folder(os.path.join(out, "mnist"), [])


def case_list(cmake, script, work):
    run = Run(cmake, script, ["--list"], [], work)
    run.expect_code(True)
    for name in ["mnist", "fashion-mnist", "kmnist", "notmnist", "emnist-letters", "dlfs"]:
        run.expect(rf"^  {re.escape(name)} +[a-z-]+/: .*; ")
    run.expect(r"^  mnist +mnist/: 11\.1 MiB; 10 digits.*CC BY-SA 3\.0$")


# NIST's gzip.zip, as the script knows it (cmake/fetch-data.cmake, _xtnn_file(emnist gzip.zip)).
EMNIST_ZIP = ("561753746", "fb9bb67e33772a9cc0b895e4ecf36d2cf35be8b709693c3564cea2a019fcda8e",
              "58c8d27c78d21e728a6bc7b3cc06412e")


def case_emnist_extract(cmake, script, work):
    """A split's files come out of the verified zip; the other splits' stay in it.

    The real zip is 536 MB, so a small one of the same layout (gzip/emnist-<split>-...) is
    made, and a copy of the script has the zip's size and hashes, and only those, replaced
    by the small zip's: the code that verifies, extracts and re-checks is the script's own.
    """
    import hashlib
    import zipfile
    www = os.path.join(work, "www")
    os.makedirs(os.path.join(www, "emnist"))
    parts = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "test-images-idx3-ubyte.gz", "test-labels-idx1-ubyte.gz", "mapping.txt"]
    archive = os.path.join(www, "emnist", "gzip.zip")
    with zipfile.ZipFile(archive, "w") as z:
        for split in ["letters", "mnist", "digits"]:
            for part in parts:
                z.writestr(f"gzip/emnist-{split}-{part}", f"{split} {part}\n")
    with open(archive, "rb") as f:
        data = f.read()
    small = (str(len(data)), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    with open(script) as f:
        text = f.read()
    for real, fake in zip(EMNIST_ZIP, small):
        if text.count(real) != 1:
            raise Failure(f"{real} is in the script {text.count(real)} times, expected once")
        text = text.replace(real, fake)
    copy = os.path.join(work, "fetch-data.cmake")
    with open(copy, "w") as f:
        f.write(text)

    server = Server(www)
    try:
        out = os.path.join(work, "out")
        letters = [f"emnist-letters-{part}" for part in parts]
        run = Run(cmake, copy, ["emnist-letters", out], [server.url], work)
        run.expect_code(True)
        run.expect(r"^fetch-data: emnist/gzip\.zip: verified, saved as ")
        for name in letters:
            run.expect(rf"^fetch-data: emnist/{re.escape(name)}: extracted from the verified zip")
        check_folder(os.path.join(out, "emnist"), letters + ["gzip.zip"])
        with open(os.path.join(out, "emnist", letters[0])) as f:
            if f.read() != f"letters {parts[0]}\n":
                raise Failure(f"{letters[0]} does not hold the zip's bytes")

        # A changed split file is replaced from the zip, the others are skipped, and a second
        # split comes from the kept zip without another download.
        with open(os.path.join(out, "emnist", letters[1]), "w") as f:
            f.write("changed\n")
        again = Run(cmake, copy, ["emnist-letters", "emnist-mnist", out], [server.url], work)
        again.expect_code(True)
        again.expect(r"^fetch-data: emnist/gzip\.zip: present and verified, skipped$")
        again.expect(rf"^fetch-data: emnist/{re.escape(letters[1])}: present but not the zip's ")
        again.expect(rf"^fetch-data: emnist/{re.escape(letters[0])}: present and identical to the "
                     r"verified zip's, skipped$")
        if "downloading" in again.output:
            raise Failure("the kept zip was downloaded again")
        mnist = [f"emnist-mnist-{part}" for part in parts]
        check_folder(os.path.join(out, "emnist"), letters + mnist + ["gzip.zip"])
    finally:
        server.stop()


CASES = {name[len("case_"):]: f for name, f in globals().items() if name.startswith("case_")}


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in CASES:
        print(f"usage: {sys.argv[0]} CMAKE SCRIPT {{{','.join(CASES)}}}")
        return 2
    cmake, script, case = sys.argv[1:]
    work = tempfile.mkdtemp(prefix=f"xtnn-fetch-{case}-")  # unique: ctest -j runs cases at once
    try:
        CASES[case](cmake, script, work)
    except Failure as failure:
        print(f"FAILED: {case}: {failure}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"passed: {case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
