// SPDX-License-Identifier: MIT
// A small RAII face of the HDF5 C library, as far as the Keras reader needs it: a file opened
// read-only from bytes in memory (the core driver), its groups, its string attributes (fixed
// or variable length, one or an array, as h5py writes Python str, bytes and numpy arrays) and
// its floating-point datasets. Every failure becomes an xtnn::format_error naming the file and
// the object path; HDF5's own error printing is switched off while we call it, and restored.
// Part of the optional xtnn::keras component: it needs the HDF5 C library (libhdf5-dev).
// Caution: libhdf5 1.10 itself is not hardened against hostile files (one flipped byte can
// make it run for tens of seconds or crash); the checks here cover what we read, not HDF5's
// own parsing of the file's internal structures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <hdf5.h>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>

namespace xtnn::detail::hdf5
{
/// Owns an HDF5 identifier and closes it with the matching H5*close.
class id
{
public:
    using closer = herr_t (*)(hid_t);
    id() = default;
    id(hid_t value, closer close)
      : m_id(value)
      , m_close(close)
    {
    }
    id(const id&) = delete;
    id& operator=(const id&) = delete;
    id(id&& other) noexcept
      : m_id(std::exchange(other.m_id, H5I_INVALID_HID))
      , m_close(other.m_close)
    {
    }
    id& operator=(id&& other) noexcept
    {
        if (this != &other)
        {
            reset();
            m_id = std::exchange(other.m_id, H5I_INVALID_HID);
            m_close = other.m_close;
        }
        return *this;
    }
    ~id() { reset(); }

    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }

private:
    void reset()
    {
        if (m_id >= 0 && m_close)
        {
            m_close(m_id);
        }
        m_id = H5I_INVALID_HID;
    }

    hid_t m_id = H5I_INVALID_HID;
    closer m_close = nullptr;
};

/// While alive, HDF5 prints nothing to stderr on a failure (its default); the previous
/// handler is restored after. Errors stay on the stack, for last_error() to read.
class quiet_errors
{
public:
    quiet_errors()
    {
        H5Eget_auto2(H5E_DEFAULT, &m_function, &m_data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~quiet_errors() { H5Eset_auto2(H5E_DEFAULT, m_function, m_data); }
    quiet_errors(const quiet_errors&) = delete;
    quiet_errors& operator=(const quiet_errors&) = delete;

private:
    H5E_auto2_t m_function = nullptr;
    void* m_data = nullptr;
};

/// The innermost description on HDF5's error stack (what the library itself found wrong,
/// e.g. "truncated file: eof = 1000, ..."), or "" when the stack is empty. Clears the stack.
inline std::string last_error()
{
    std::string text;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned, const H5E_error2_t* entry, void* out) -> herr_t
        {
            auto& message = *static_cast<std::string*>(out);
            if (message.empty() && entry && entry->desc && entry->desc[0])
            {
                message = entry->desc;
            }
            return 0;
        },
        &text);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

/// A dataset read as doubles: its shape (row-major) and values. An integer dataset (Keras's
/// Normalization count, an optimizer's iterations) keeps only its shape and type.
struct array
{
    std::vector<std::size_t> shape;
    std::vector<double> values;
    std::string type = "float32";  // as stored: "float32", "int64", ...
    bool integer = false;
};

/// "(784, 64)", "()" for a scalar.
inline std::string shape_text(const std::vector<std::size_t>& shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
    {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

/// An HDF5 file opened read-only from a copy of its bytes. `where` ("xtnn::io::load_keras")
/// and `name` (the path, or "m.keras:model.weights.h5") start every message.
class file
{
public:
    /// @throws format_error when the bytes are not an HDF5 file or HDF5 cannot open them
    /// (truncated, damaged), with HDF5's own reason.
    file(std::vector<std::uint8_t> bytes, std::string name, std::string where)
      : m_bytes(std::move(bytes))
      , m_name(std::move(name))
      , m_where(std::move(where))
    {
        if (!has_signature())
        {
            throw format_error(prefix() + "not an HDF5 file (no HDF5 signature)");
        }
        quiet_errors quiet;
        id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        // The core driver reads from memory; without a backing store nothing is ever written.
        // STRONG: closing the file closes whatever is still open in it, even when a damaged
        // file made a read fail half-way, so that nothing outlives this object.
        if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0 ||
            H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0 ||
            H5Pset_file_image(fapl.get(), m_bytes.data(), m_bytes.size()) < 0)
        {
            fail("", "cannot set up an in-memory HDF5 file");
        }
        // The name only labels the image: it must not be a file on disk, which the core
        // driver would refuse to shadow.
        const std::string label = "xtnn-in-memory-image:" + m_name;
        m_file = id(H5Fopen(label.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
        if (!m_file.valid())
        {
            fail("", "not a readable HDF5 file (truncated or damaged)");
        }
        m_bytes.clear();  // HDF5 holds its own copy of the image
        m_bytes.shrink_to_fit();
        m_size = static_cast<std::uint64_t>(file_size());
    }

    const std::string& name() const { return m_name; }

    /// "where: \"name\": " — the start of every message about this file.
    std::string prefix() const { return m_where + ": " + quoted(m_name) + ": "; }

    /// Throws format_error "<where>: \"file\": <path>: <what>[ (HDF5: <reason>)]".
    [[noreturn]] void fail(const std::string& path, const std::string& what) const
    {
        const std::string reason = last_error();
        throw format_error(prefix() + (path.empty() ? "" : path + ": ") + what +
                           (reason.empty() ? "" : " (HDF5: " + reason + ")"));
    }

    /// Whether `path` ("model_weights/dense/dense") names an object; each step is checked,
    /// since HDF5 fails rather than answers for a path through a missing group.
    bool exists(const std::string& path) const
    {
        quiet_errors quiet;
        std::string prefix_path;
        std::size_t start = path.find_first_not_of('/');
        while (start != std::string::npos && start < path.size())
        {
            std::size_t slash = path.find('/', start);
            if (slash == std::string::npos)
            {
                slash = path.size();
            }
            // appended piece by piece: GCC 12's false -Wrestrict (see tensor.hpp)
            if (!prefix_path.empty())
            {
                prefix_path += '/';
            }
            prefix_path.append(path, start, slash - start);
            if (H5Lexists(m_file.get(), prefix_path.c_str(), H5P_DEFAULT) <= 0 ||
                H5Oexists_by_name(m_file.get(), prefix_path.c_str(), H5P_DEFAULT) <= 0)
            {
                H5Eclear2(H5E_DEFAULT);
                return false;
            }
            start = path.find_first_not_of('/', slash);
        }
        return true;  // the root, or every step found
    }

    bool is_group(const std::string& path) const { return object_type(path) == H5I_GROUP; }
    bool is_dataset(const std::string& path) const { return object_type(path) == H5I_DATASET; }

    /// The names of the members of group `path` ("" or "/" for the root), in name order.
    /// @throws format_error when there is no such group.
    std::vector<std::string> members(const std::string& path) const
    {
        const std::string group_path = path.empty() ? "/" : path;
        if (!exists(group_path) || !is_group(group_path))
        {
            fail(group_path, "no such group");
        }
        quiet_errors quiet;
        id group(H5Gopen2(m_file.get(), group_path.c_str(), H5P_DEFAULT), H5Gclose);
        H5G_info_t info{};
        if (!group.valid() || H5Gget_info(group.get(), &info) < 0)
        {
            fail(group_path, "cannot read the group");
        }
        std::vector<std::string> names;
        for (hsize_t i = 0; i < info.nlinks; ++i)
        {
            const ssize_t length = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC,
                                                      i, nullptr, 0, H5P_DEFAULT);
            if (length < 0 || length > 65535)
            {
                fail(group_path, "cannot read the name of member " + std::to_string(i));
            }
            std::string name(static_cast<std::size_t>(length) + 1, '\0');
            H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                               name.size(), H5P_DEFAULT);
            name.resize(static_cast<std::size_t>(length));
            names.push_back(std::move(name));
        }
        return names;
    }

    /// Whether the object at `path` has an attribute `attribute`.
    bool has_attribute(const std::string& path, const std::string& attribute) const
    {
        if (!exists(path.empty() ? "/" : path))
        {
            return false;
        }
        quiet_errors quiet;
        const htri_t found = H5Aexists_by_name(m_file.get(), path.empty() ? "/" : path.c_str(),
                                               attribute.c_str(), H5P_DEFAULT);
        H5Eclear2(H5E_DEFAULT);
        return found > 0;
    }

    /// A string attribute, or an array of them, as h5py writes str (variable-length UTF-8),
    /// bytes (fixed length) and numpy arrays of either: each element, trailing padding
    /// removed. @throws format_error when absent or not of a string type.
    std::vector<std::string> strings(const std::string& path, const std::string& attribute) const
    {
        const std::string object = path.empty() ? "/" : path;
        const std::string what = "attribute '" + attribute + "'";
        if (!has_attribute(object, attribute))
        {
            fail(object, "missing " + what);
        }
        quiet_errors quiet;
        id attr(H5Aopen_by_name(m_file.get(), object.c_str(), attribute.c_str(), H5P_DEFAULT,
                                H5P_DEFAULT),
                H5Aclose);
        if (!attr.valid())
        {
            fail(object, "cannot open " + what);
        }
        id type(H5Aget_type(attr.get()), H5Tclose);
        id space(H5Aget_space(attr.get()), H5Sclose);
        if (!type.valid() || !space.valid())
        {
            fail(object, "cannot read the type of " + what);
        }
        const std::size_t count = element_count(space.get(), object, what);
        if (count == 0)
        {
            return {};  // Keras 2 writes a layer without weights as an empty float64 array
        }
        if (H5Tget_class(type.get()) != H5T_STRING)
        {
            fail(object, what + " is not a string");
        }
        std::vector<std::string> out;
        if (H5Tis_variable_str(type.get()) > 0)
        {
            id memory(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(memory.get(), H5T_VARIABLE);
            H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
            std::vector<char*> pointers(count, nullptr);
            if (H5Aread(attr.get(), memory.get(), pointers.data()) < 0)
            {
                fail(object, "cannot read " + what);
            }
            for (char* p : pointers)
            {
                out.emplace_back(p ? p : "");
            }
            H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
        }
        else
        {
            const std::size_t width = H5Tget_size(type.get());
            // the attribute's stored bytes bound what it can hold: never allocate past them
            const hsize_t stored = H5Aget_storage_size(attr.get());
            if (width == 0 || count > std::numeric_limits<std::size_t>::max() / width ||
                count * width > stored)
            {
                fail(object, what + " declares " + std::to_string(count) + " strings of " +
                                 std::to_string(width) + " bytes but stores " +
                                 std::to_string(stored) + " bytes");
            }
            std::vector<char> buffer(count * width);
            if (H5Aread(attr.get(), type.get(), buffer.data()) < 0)
            {
                fail(object, "cannot read " + what);
            }
            const bool spaces = H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD;
            for (std::size_t i = 0; i < count; ++i)
            {
                std::string s(buffer.data() + i * width, width);
                s.resize(std::strlen(s.c_str()));  // NULLTERM and NULLPAD end at the first NUL
                if (spaces)
                {
                    s.erase(s.find_last_not_of(' ') + 1);
                }
                out.push_back(std::move(s));
            }
        }
        return out;
    }

    /// A single string attribute (a one-element array counts).
    std::string string(const std::string& path, const std::string& attribute) const
    {
        const auto all = strings(path, attribute);
        if (all.size() != 1)
        {
            fail(path.empty() ? "/" : path, "attribute '" + attribute + "' holds " +
                                                 std::to_string(all.size()) +
                                                 " strings; expected one");
        }
        return all.front();
    }

    /// The shape of the dataset at `path`, read without reading its values.
    /// @throws format_error when there is no such dataset.
    std::vector<std::size_t> shape(const std::string& path) const
    {
        quiet_errors quiet;
        id dataset = open_dataset(path);
        id space(H5Dget_space(dataset.get()), H5Sclose);
        return dims(space.get(), path);
    }

    /// The floating-point dataset at `path` (float16, float32 or float64, converted to double
    /// by HDF5). Its declared size is checked against the bytes it has stored before anything
    /// is allocated. @throws format_error for a missing or non-float dataset, or one whose
    /// declared shape its storage cannot hold.
    /// With `integers_as_shape`, an integer dataset gives its shape and type only.
    array read(const std::string& path, bool integers_as_shape = false) const
    {
        quiet_errors quiet;
        id dataset = open_dataset(path);
        id type(H5Dget_type(dataset.get()), H5Tclose);
        id space(H5Dget_space(dataset.get()), H5Sclose);
        if (!type.valid() || !space.valid())
        {
            fail(path, "cannot read the dataset's type and shape");
        }
        const std::size_t width = H5Tget_size(type.get());
        array out;
        out.type = type_name(type.get());
        if (H5Tget_class(type.get()) == H5T_INTEGER && integers_as_shape)
        {
            out.shape = dims(space.get(), path);
            out.integer = true;
            return out;
        }
        if (H5Tget_class(type.get()) != H5T_FLOAT || (width != 2 && width != 4 && width != 8))
        {
            fail(path, "dataset has " + out.type + " values; expected float16, float32 or float64");
        }
        out.shape = dims(space.get(), path);
        const std::size_t count = element_count(space.get(), path, "dataset");
        const std::uint64_t declared = std::uint64_t(count) * width;
        const std::uint64_t stored = H5Dget_storage_size(dataset.get());
        id plist(H5Dget_create_plist(dataset.get()), H5Pclose);
        const bool chunked = plist.valid() && H5Pget_layout(plist.get()) == H5D_CHUNKED;
        const bool filtered = chunked && H5Pget_nfilters(plist.get()) > 0;
        // Contiguous and compact data is stored whole; a compressed chunk (deflate at most
        // ~1032:1) still cannot hold more than the file could expand to.
        const bool fits = filtered ? declared / 1032 <= m_size : declared <= stored;
        if (count != 0 && (!fits || stored > m_size))
        {
            fail(path, "dataset declares shape " + shape_text(out.shape) + " (" +
                           std::to_string(declared) + " bytes) but stores " +
                           std::to_string(stored) + " bytes in a file of " +
                           std::to_string(m_size));
        }
        out.values.resize(count);
        if (count != 0 &&
            H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    out.values.data()) < 0)
        {
            fail(path, "cannot read the dataset's values");
        }
        return out;
    }

private:
    bool has_signature() const
    {
        static const std::uint8_t signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        // the superblock is at 0, or after a user block of 512, 1024, 2048 ... bytes
        for (std::size_t at = 0; at + 8 <= m_bytes.size(); at = at ? at * 2 : 512)
        {
            if (std::memcmp(m_bytes.data() + at, signature, 8) == 0)
            {
                return true;
            }
        }
        return false;
    }

    hsize_t file_size() const
    {
        hsize_t size = 0;
        H5Fget_filesize(m_file.get(), &size);
        return size;
    }

    H5I_type_t object_type(const std::string& path) const
    {
        if (!exists(path))
        {
            return H5I_BADID;
        }
        quiet_errors quiet;
        id object(H5Oopen(m_file.get(), path.empty() ? "/" : path.c_str(), H5P_DEFAULT), H5Oclose);
        const H5I_type_t type = object.valid() ? H5Iget_type(object.get()) : H5I_BADID;
        H5Eclear2(H5E_DEFAULT);
        return type;
    }

    id open_dataset(const std::string& path) const
    {
        if (!is_dataset(path))
        {
            fail(path, exists(path) ? "is not a dataset" : "no such dataset");
        }
        id dataset(H5Dopen2(m_file.get(), path.c_str(), H5P_DEFAULT), H5Dclose);
        if (!dataset.valid())
        {
            fail(path, "cannot open the dataset");
        }
        return dataset;
    }

    std::vector<std::size_t> dims(hid_t space, const std::string& path) const
    {
        const int rank = H5Sget_simple_extent_ndims(space);
        if (rank < 0 || rank > 32)
        {
            fail(path, "has no simple shape");
        }
        std::vector<hsize_t> d(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(space, d.data(), nullptr);
        return std::vector<std::size_t>(d.begin(), d.end());
    }

    /// The number of elements of a simple (or scalar) dataspace, refused past 2^40.
    std::size_t element_count(hid_t space, const std::string& path, const std::string& what) const
    {
        const H5S_class_t kind = H5Sget_simple_extent_type(space);
        if (kind == H5S_SCALAR)
        {
            return 1;
        }
        if (kind == H5S_NULL)
        {
            return 0;
        }
        if (kind != H5S_SIMPLE)
        {
            fail(path, what + " has no simple shape");
        }
        std::uint64_t count = 1;
        for (std::size_t d : dims(space, path))
        {
            if (d != 0 && count > (std::uint64_t(1) << 40) / d)
            {
                fail(path, what + " declares more than 2^40 elements");
            }
            count *= d;
        }
        return static_cast<std::size_t>(count);
    }

    static std::string type_name(hid_t type)
    {
        const std::size_t width = H5Tget_size(type);
        switch (H5Tget_class(type))
        {
        case H5T_INTEGER:
            return std::string(H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") +
                   std::to_string(8 * width);
        case H5T_FLOAT:
            return "float" + std::to_string(8 * width);
        case H5T_STRING:
            return "string";
        default:
            return "non-numeric";
        }
    }

    std::vector<std::uint8_t> m_bytes;
    std::string m_name;
    std::string m_where;
    id m_file;
    std::uint64_t m_size = 0;
};
}  // namespace xtnn::detail::hdf5
