// SPDX-License-Identifier: MIT
// A restricted pickle reader for two things: a dict of str -> numpy array, as written by
// pickle.dump({'W1': W1, ...}, f) with protocols 2 to 5, and the data.pkl of a PyTorch
// state_dict file (torch.save(model.state_dict(), path); torch.hpp reads the zip around it).
// It is a security boundary: a small stack machine over the few opcodes these need that never
// calls anything; each of the few allowed globals is interpreted by hand, and everything else
// throws format_error, naming the global it would have had to call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/tensor_data.hpp>

namespace xtnn::io
{
namespace detail
{
/// The globals a numpy pickle may name; nothing else is ever resolved.
enum class pickle_global
{
    reconstruct,    // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') -> empty array
    ndarray_class,  // numpy.ndarray, only as _reconstruct's first argument
    dtype_class,    // numpy.dtype('f4', False, True) -> dtype; BUILD sets the byte order
    frombuffer,     // numpy.core.numeric._frombuffer(buf, dtype, shape, order): protocol 5
    codecs_encode,  // _codecs.encode(str, 'latin1') -> bytes: protocol 2's raw data
    empty_bytes,    // __builtin__.bytes() -> b'': protocol 2's raw data of an empty array
    // PyTorch state dicts only:
    ordered_dict,       // collections.OrderedDict() -> an empty dict
    rebuild_tensor_v2,  // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
    storage_type        // torch.FloatStorage etc., only inside a storage's persistent id
};

/// What a pickle holds: numpy's dict of arrays, or a PyTorch state_dict's data.pkl.
enum class pickle_dialect
{
    numpy_dict,
    torch_state_dict
};

inline const char* pickle_global_name(pickle_global g)
{
    static const char* const names[] = {
        "numpy.core.multiarray._reconstruct", "numpy.ndarray",  "numpy.dtype",
        "numpy.core.numeric._frombuffer",     "_codecs.encode", "__builtin__.bytes",
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch storage type"};
    return names[static_cast<int>(g)];
}

/// One value on the unpickling stack. Only tuples hold other values, and their depth is
/// capped, so no reference cycle or deep recursion can be built. The one dict's entries live
/// in the machine, and an array's data out of line, to keep the common values small.
struct pickle_value
{
    enum class kind
    {
        none,
        boolean,
        integer,
        str,
        bytes,
        tuple,
        dict,
        global,
        dtype,
        array,
        storage,  // torch: a persistent id ('storage', type, key, location, numel)
        tensor    // torch: _rebuild_tensor_v2's result
    };
    kind type = kind::none;
    std::int64_t integer = 0;                           // boolean, integer
    std::string text;                                   // str (UTF-8)
    std::vector<std::uint8_t> bytes;                    // bytes, bytearray
    std::vector<std::shared_ptr<pickle_value>> items;   // tuple
    pickle_global global = pickle_global::reconstruct;  // global
    descr_info descr{dtype::f4, false};                 // dtype
    std::unique_ptr<ndarray> array;                     // array, once its state is set
    std::size_t depth = 1;
    // torch dialect:
    std::vector<std::pair<std::shared_ptr<pickle_value>, std::shared_ptr<pickle_value>>>
        entries;                                 // dict, in insertion order
    std::unique_ptr<std::unordered_map<std::string, std::size_t>> index;  // dict: key -> entry
    bool frozen = false;                         // a dict inside another value: no more items
    element_type element = element_type::f32;    // storage type (global), storage
    std::string location;                        // storage ("cpu"); text holds its key
    std::vector<std::size_t> shape, stride;      // tensor; integer is its storage offset,
                                                 // items[0] its storage
};

/// A tensor of a state_dict as data.pkl describes it: a view into storage `storage_key`
/// (zip member <prefix>/data/<key>) of `storage_count` elements.
struct torch_tensor_ref
{
    std::string storage_key;
    element_type type = element_type::f32;
    std::size_t storage_count = 0;
    std::string location;
    std::size_t offset = 0;
    std::vector<std::size_t> shape, stride;
};

/// A state_dict's tensors in its order.
using torch_tensor_refs = std::vector<std::pair<std::string, torch_tensor_ref>>;

inline const char* pickle_kind_name(pickle_value::kind k)
{
    static const char* const names[] = {"None",  "bool",   "int",         "str",
                                        "bytes", "tuple",  "dict",        "global",
                                        "numpy.dtype", "numpy.ndarray", "torch storage",
                                        "torch.Tensor"};
    return names[static_cast<int>(k)];
}

/// Names of the pickle opcodes, for messages about the ones that are refused.
inline std::string pickle_opcode_name(std::uint8_t op)
{
    static const std::pair<std::uint8_t, const char*> names[] = {{'(', "MARK"},
                                                                 {'.', "STOP"},
                                                                 {'0', "POP"},
                                                                 {'1', "POP_MARK"},
                                                                 {'2', "DUP"},
                                                                 {'F', "FLOAT"},
                                                                 {'I', "INT"},
                                                                 {'J', "BININT"},
                                                                 {'K', "BININT1"},
                                                                 {'L', "LONG"},
                                                                 {'M', "BININT2"},
                                                                 {'N', "NONE"},
                                                                 {'P', "PERSID"},
                                                                 {'Q', "BINPERSID"},
                                                                 {'R', "REDUCE"},
                                                                 {'S', "STRING"},
                                                                 {'T', "BINSTRING"},
                                                                 {'U', "SHORT_BINSTRING"},
                                                                 {'V', "UNICODE"},
                                                                 {'X', "BINUNICODE"},
                                                                 {'a', "APPEND"},
                                                                 {'b', "BUILD"},
                                                                 {'c', "GLOBAL"},
                                                                 {'d', "DICT"},
                                                                 {'}', "EMPTY_DICT"},
                                                                 {'e', "APPENDS"},
                                                                 {'g', "GET"},
                                                                 {'h', "BINGET"},
                                                                 {'i', "INST"},
                                                                 {'j', "LONG_BINGET"},
                                                                 {'l', "LIST"},
                                                                 {']', "EMPTY_LIST"},
                                                                 {'o', "OBJ"},
                                                                 {'p', "PUT"},
                                                                 {'q', "BINPUT"},
                                                                 {'r', "LONG_BINPUT"},
                                                                 {'s', "SETITEM"},
                                                                 {'t', "TUPLE"},
                                                                 {')', "EMPTY_TUPLE"},
                                                                 {'u', "SETITEMS"},
                                                                 {'G', "BINFLOAT"},
                                                                 {0x80, "PROTO"},
                                                                 {0x81, "NEWOBJ"},
                                                                 {0x82, "EXT1"},
                                                                 {0x83, "EXT2"},
                                                                 {0x84, "EXT4"},
                                                                 {0x85, "TUPLE1"},
                                                                 {0x86, "TUPLE2"},
                                                                 {0x87, "TUPLE3"},
                                                                 {0x88, "NEWTRUE"},
                                                                 {0x89, "NEWFALSE"},
                                                                 {0x8a, "LONG1"},
                                                                 {0x8b, "LONG4"},
                                                                 {'B', "BINBYTES"},
                                                                 {'C', "SHORT_BINBYTES"},
                                                                 {0x8c, "SHORT_BINUNICODE"},
                                                                 {0x8d, "BINUNICODE8"},
                                                                 {0x8e, "BINBYTES8"},
                                                                 {0x8f, "EMPTY_SET"},
                                                                 {0x90, "ADDITEMS"},
                                                                 {0x91, "FROZENSET"},
                                                                 {0x92, "NEWOBJ_EX"},
                                                                 {0x93, "STACK_GLOBAL"},
                                                                 {0x94, "MEMOIZE"},
                                                                 {0x95, "FRAME"},
                                                                 {0x96, "BYTEARRAY8"},
                                                                 {0x97, "NEXT_BUFFER"},
                                                                 {0x98, "READONLY_BUFFER"}};
    static const char hex[] = "0123456789abcdef";
    std::string text = {'0', 'x', hex[op >> 4], hex[op & 15]};
    for (const auto& [code, name] : names)
    {
        if (code == op)
        {
            return text + " (" + name + ")";
        }
    }
    return text;
}

/// The stack machine. Memory it allocates beyond the input (decoded strings, array copies,
/// the result) is capped at a few times the input size, so repeated references to one large
/// value cannot blow up.
class pickle_machine
{
public:
    using value_ptr = std::shared_ptr<pickle_value>;
    using kind = pickle_value::kind;

    static constexpr std::size_t max_depth = 32;  // numpy needs 3: state / shape / extent
    // Values, stack entries, memo entries and marks, each: a dict of a few thousand arrays
    // needs tens of thousands; the cap bounds what a hostile stream of 1-byte opcodes costs.
    static constexpr std::size_t max_values = std::size_t(1) << 20;

    pickle_machine(const std::uint8_t* data, std::size_t size, std::string context,
                   pickle_dialect dialect = pickle_dialect::numpy_dict)
      : m_in(data, size, std::move(context))
      , m_budget(4 * size + (std::size_t(1) << 20))
      , m_dialect(dialect)
    {
        m_none = make(kind::none);
        m_true = make(kind::boolean);
        m_true->integer = 1;
        m_false = make(kind::boolean);
    }

    /// numpy dialect: the dict's arrays.
    named_arrays run();
    /// torch dialect: the state_dict's tensors, not yet read from their storages.
    torch_tensor_refs run_torch();

private:
    bool torch() const { return m_dialect == pickle_dialect::torch_state_dict; }
    value_ptr execute();  // runs to STOP; the one value left
    void torch_set_items(std::vector<value_ptr> items, const value_ptr& dict);
    void torch_reduce(const value_ptr& callable, const std::vector<value_ptr>& a);
    void torch_persistent_id();
    std::size_t torch_size(const value_ptr& v, const std::string& what);
    std::vector<std::size_t> torch_sizes(const value_ptr& v, const std::string& what);

    [[noreturn]] void fail(const std::string& what) const
    {
        throw format_error(m_in.context() + ": " + what);
    }

    std::string at() const { return " at offset " + std::to_string(m_op); }

    void charge(std::size_t bytes)
    {
        if (bytes > m_budget)
        {
            fail("data" + at() + " expands beyond " + std::to_string(4 * m_in.size()) +
                 " bytes (4x the pickle's size); refusing it as hostile");
        }
        m_budget -= bytes;
    }

    value_ptr make(kind type)
    {
        if (++m_values > max_values)
        {
            fail("more than " + std::to_string(max_values) + " values" + at() +
                 "; expected a dict of numpy arrays");
        }
        auto v = std::make_shared<pickle_value>();
        v->type = type;
        return v;
    }

    std::size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }

    void push(value_ptr v)
    {
        if (m_stack.size() >= max_values)
        {
            fail("more than " + std::to_string(max_values) + " values on the stack" + at());
        }
        m_stack.push_back(std::move(v));
    }

    value_ptr pop(const char* op)
    {
        if (m_stack.size() <= floor())
        {
            fail(std::string("stack underflow: ") + op + at() + " needs an item");
        }
        value_ptr v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }

    std::vector<value_ptr> pop_to_mark(const char* op)
    {
        if (m_marks.empty())
        {
            fail(std::string(op) + at() + " has no MARK before it");
        }
        std::vector<value_ptr> items(m_stack.begin() + static_cast<std::ptrdiff_t>(m_marks.back()),
                                     m_stack.end());
        m_stack.resize(m_marks.back());
        m_marks.pop_back();
        return items;
    }

    void push_tuple(std::vector<value_ptr> items)
    {
        auto t = make(kind::tuple);
        for (const auto& item : items)
        {
            t->depth = std::max(t->depth, item->depth + 1);
            item->frozen = item->frozen || torch();  // no items added to a dict once inside
        }
        if (t->depth > max_depth)
        {
            fail("tuples nested deeper than " + std::to_string(max_depth) + at());
        }
        t->items = std::move(items);
        push(std::move(t));
    }

    void expect(const value_ptr& v, kind type, const std::string& what) const
    {
        if (v->type != type)
        {
            fail(what + at() + " is " + pickle_kind_name(v->type) + "; expected " +
                 pickle_kind_name(type));
        }
    }

    std::int64_t integer(const value_ptr& v, const std::string& what) const
    {
        if (v->type != kind::integer && v->type != kind::boolean)
        {
            fail(what + at() + " is " + pickle_kind_name(v->type) + "; expected int");
        }
        return v->integer;
    }

    void push_str(std::size_t size)
    {
        auto s = make(kind::str);
        const auto* p = m_in.take(size, "string");
        s->text.assign(reinterpret_cast<const char*>(p), size);
        push(std::move(s));
    }

    void push_bytes(std::size_t size)
    {
        auto b = make(kind::bytes);
        const auto* p = m_in.take(size, "bytes");
        b->bytes.assign(p, p + size);
        push(std::move(b));
    }

    void push_global(const std::string& module, const std::string& name);
    std::vector<std::uint8_t> latin1(const std::string& text, const std::string& what);
    const std::vector<std::uint8_t>& raw_data(const value_ptr& v, std::vector<std::uint8_t>& tmp);
    std::vector<std::size_t> shape_of(const value_ptr& v);
    void set_array(pickle_value& target, std::vector<std::size_t> shape, const pickle_value& type,
                   bool fortran, const value_ptr& data);
    void reduce();
    void build();
    void set_items(std::vector<value_ptr> items, const value_ptr& dict);

    xtnn::detail::byte_reader m_in;
    std::size_t m_budget;
    pickle_dialect m_dialect;
    std::size_t m_op = 0;  // offset of the opcode being run
    std::vector<value_ptr> m_stack;
    std::vector<std::size_t> m_marks;  // stack sizes at each open MARK
    std::unordered_map<std::uint64_t, value_ptr> m_memo;
    std::size_t m_values = 0;           // values made so far
    value_ptr m_none, m_true, m_false;  // shared: nothing changes them
    bool m_dict_made = false;
    std::vector<std::pair<std::string, value_ptr>> m_entries;  // the dict, in insertion order
    std::unordered_map<std::string, std::size_t> m_index;      // key -> m_entries position
};

inline void pickle_machine::push_global(const std::string& module, const std::string& name)
{
    static const std::pair<const char*, pickle_global> allowed[] = {
        {"numpy.core.multiarray._reconstruct", pickle_global::reconstruct},
        {"numpy._core.multiarray._reconstruct", pickle_global::reconstruct},  // numpy 2
        {"numpy.ndarray", pickle_global::ndarray_class},
        {"numpy.dtype", pickle_global::dtype_class},
        {"numpy.core.numeric._frombuffer", pickle_global::frombuffer},
        {"numpy._core.numeric._frombuffer", pickle_global::frombuffer},  // numpy 2
        {"_codecs.encode", pickle_global::codecs_encode},
        {"__builtin__.bytes", pickle_global::empty_bytes},
        {"builtins.bytes", pickle_global::empty_bytes}};
    const std::string full = module + "." + name;
    if (torch())
    {
        static const std::pair<const char*, element_type> storages[] = {
            {"torch.FloatStorage", element_type::f32},   {"torch.DoubleStorage", element_type::f64},
            {"torch.HalfStorage", element_type::f16},    {"torch.BFloat16Storage", element_type::bf16},
            {"torch.LongStorage", element_type::i64},    {"torch.IntStorage", element_type::i32},
            {"torch.ShortStorage", element_type::i16},   {"torch.CharStorage", element_type::i8},
            {"torch.ByteStorage", element_type::u8},     {"torch.BoolStorage", element_type::boolean}};
        auto g = make(kind::global);
        if (full == "collections.OrderedDict")
        {
            g->global = pickle_global::ordered_dict;
        }
        else if (full == "torch._utils._rebuild_tensor_v2")
        {
            g->global = pickle_global::rebuild_tensor_v2;
        }
        else
        {
            for (const auto& [text, type] : storages)
            {
                if (full == text)
                {
                    g->global = pickle_global::storage_type;
                    g->element = type;
                    g->text = full;
                }
            }
            if (g->global != pickle_global::storage_type)
            {
                const std::string shown = xtnn::detail::escape_bytes(full, 100);
                fail("global '" + shown + "'" + at() +
                     " is not allowed: loading the file would construct or call " + shown +
                     ". xtnn reads state dicts of tensors (torch.save(model.state_dict(), path)), "
                     "not whole models (torch.save(model)) or other objects");
            }
        }
        push(std::move(g));
        return;
    }
    for (const auto& [text, global] : allowed)
    {
        if (full == text)
        {
            auto g = make(kind::global);
            g->global = global;
            push(std::move(g));
            return;
        }
    }
    fail("global '" + xtnn::detail::escape_bytes(full, 100) + "'" + at() +
         " is not allowed; only numpy array reconstruction is");
}

// Python 3 pickles protocol-2 bytes as a str of code points 0..255, sent as UTF-8.
inline std::vector<std::uint8_t> pickle_machine::latin1(const std::string& text,
                                                        const std::string& what)
{
    charge(text.size());
    std::vector<std::uint8_t> out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const auto c = static_cast<std::uint8_t>(text[i]);
        if (c < 0x80)
        {
            out.push_back(c);
        }
        else if ((c == 0xc2 || c == 0xc3) && i + 1 < text.size() &&
                 (static_cast<std::uint8_t>(text[i + 1]) & 0xc0) == 0x80)
        {
            out.push_back(static_cast<std::uint8_t>(((c & 0x03) << 6) |
                                                    (static_cast<std::uint8_t>(text[++i]) & 0x3f)));
        }
        else
        {
            fail(what + at() +
                 " is not latin-1 text (a character above U+00FF or bad UTF-8 at "
                 "byte " +
                 std::to_string(i) + ")");
        }
    }
    return out;
}

// An array's raw data: bytes, or (numpy's own Python 2 fallback) a latin-1 str.
inline const std::vector<std::uint8_t>& pickle_machine::raw_data(const value_ptr& v,
                                                                 std::vector<std::uint8_t>& tmp)
{
    if (v->type == kind::str)
    {
        tmp = latin1(v->text, "array data");
        return tmp;
    }
    expect(v, kind::bytes, "array data");
    return v->bytes;
}

inline std::vector<std::size_t> pickle_machine::shape_of(const value_ptr& v)
{
    expect(v, kind::tuple, "array shape");
    std::vector<std::size_t> shape;
    for (const auto& extent : v->items)
    {
        const std::int64_t n = integer(extent, "array shape extent");
        if (n < 0)
        {
            fail("negative array extent " + std::to_string(n) + at());
        }
        shape.push_back(static_cast<std::size_t>(n));
    }
    return shape;
}

inline void pickle_machine::set_array(pickle_value& target, std::vector<std::size_t> shape,
                                      const pickle_value& type, bool fortran, const value_ptr& data)
{
    std::vector<std::uint8_t> tmp;
    const std::vector<std::uint8_t>& raw = raw_data(data, tmp);
    std::size_t expected = 0;
    const bool fits = xtnn::detail::byte_count(shape, item_size(type.descr.type), expected);
    if (!fits || expected != raw.size())
    {
        fail("array data" + at() + " holds " + std::to_string(raw.size()) + " bytes; expected " +
             (fits ? std::to_string(expected) : "more than memory holds") + " for shape " +
             shape_string(shape) + " of " + descr(type.descr.type));
    }
    charge(raw.size());
    target.array = std::make_unique<ndarray>(make_ndarray(
        type.descr.type, type.descr.big_endian, std::move(shape), fortran, raw.data(), raw.size()));
}

// REDUCE: callable(*args), for the allowed callables only.
inline void pickle_machine::reduce()
{
    const value_ptr args = pop("REDUCE");
    const value_ptr callable = pop("REDUCE");
    expect(callable, kind::global, "REDUCE's callable");
    expect(args, kind::tuple, "REDUCE's arguments");
    const auto& a = args->items;
    if (torch())
    {
        torch_reduce(callable, a);
        return;
    }
    const std::string what = std::string(pickle_global_name(callable->global)) + "'s arguments";
    auto need = [&](std::size_t lo, std::size_t hi)
    {
        if (a.size() < lo || a.size() > hi)
        {
            fail(what + at() + " are " + std::to_string(a.size()) + " values; expected " +
                 std::to_string(lo) + (hi > lo ? " to " + std::to_string(hi) : std::string()));
        }
    };
    switch (callable->global)
    {
    case pickle_global::reconstruct:  // (numpy.ndarray, (0,), b'b'): an empty array
        need(3, 3);
        if (a[0]->type != kind::global || a[0]->global != pickle_global::ndarray_class)
        {
            fail("_reconstruct" + at() + " builds a " + pickle_kind_name(a[0]->type) +
                 "; expected numpy.ndarray");
        }
        push(make(kind::array));
        return;
    case pickle_global::dtype_class:  // ('f4', align, copy)
    {
        need(1, 3);
        expect(a[0], kind::str, "numpy.dtype's type code");
        const auto parsed = parse_descr(a[0]->text);
        if (!parsed)
        {
            fail("unsupported dtype '" + xtnn::detail::escape_bytes(a[0]->text) + "'" + at() +
                 "; expected one of f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1");
        }
        auto d = make(kind::dtype);
        d->descr = *parsed;
        push(std::move(d));
        return;
    }
    case pickle_global::frombuffer:  // (buffer, dtype, shape, 'C' or 'F'): protocol 5
    {
        need(4, 4);
        expect(a[1], kind::dtype, "_frombuffer's dtype");
        expect(a[3], kind::str, "_frombuffer's order");
        if (a[3]->text != "C" && a[3]->text != "F")
        {
            fail("_frombuffer's order" + at() + " is '" + xtnn::detail::escape_bytes(a[3]->text) +
                 "'; expected 'C' or 'F'");
        }
        auto array = make(kind::array);
        set_array(*array, shape_of(a[2]), *a[1], a[3]->text == "F", a[0]);
        push(std::move(array));
        return;
    }
    case pickle_global::codecs_encode:  // (str, 'latin1') -> bytes
    {
        need(2, 2);
        expect(a[0], kind::str, "_codecs.encode's text");
        expect(a[1], kind::str, "_codecs.encode's encoding");
        if (a[1]->text != "latin1" && a[1]->text != "latin-1")
        {
            fail("_codecs.encode's encoding" + at() + " is '" +
                 xtnn::detail::escape_bytes(a[1]->text) + "'; expected 'latin1'");
        }
        auto b = make(kind::bytes);
        b->bytes = latin1(a[0]->text, "_codecs.encode's text");
        push(std::move(b));
        return;
    }
    case pickle_global::empty_bytes:  // () -> b''
        need(0, 0);
        push(make(kind::bytes));
        return;
    case pickle_global::ndarray_class:
    case pickle_global::ordered_dict:  // torch dialect only
    case pickle_global::rebuild_tensor_v2:
    case pickle_global::storage_type:
        break;
    }
    fail("numpy.ndarray" + at() + " cannot be called; expected it only inside _reconstruct");
}

// BUILD: obj.__setstate__(state), for a dtype or an array.
inline void pickle_machine::build()
{
    const value_ptr state = pop("BUILD");
    const value_ptr target = pop("BUILD");
    push(target);
    if (torch())
    {
        // OrderedDict.__setstate__: a state_dict's attributes, {'_metadata': {module: {...}}}
        // (the modules' versions). Checked for shape, then dropped.
        expect(target, kind::dict, "BUILD's target");
        expect(state, kind::dict, "BUILD's state");
        for (const auto& [key, value] : state->entries)
        {
            expect(key, kind::str, "an attribute name in BUILD's state");
        }
        return;
    }
    expect(state, kind::tuple, "BUILD's state");
    const auto& s = state->items;
    if (target->type == kind::dtype)
    {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
        if (s.size() < 8 || s.size() > 9)
        {
            fail("numpy.dtype state" + at() + " has " + std::to_string(s.size()) +
                 " items; expected 8 or 9");
        }
        expect(s[1], kind::str, "numpy.dtype's byte order");
        const std::string& order = s[1]->text;
        if (order != "<" && order != ">" && order != "|" && order != "=")
        {
            fail("numpy.dtype's byte order" + at() + " is '" + xtnn::detail::escape_bytes(order) +
                 "'; expected <, >, | or =");
        }
        for (std::size_t i : {std::size_t{2}, std::size_t{3}, std::size_t{4}})
        {
            expect(s[i], kind::none, "numpy.dtype's subarray, names and fields");
        }
        if (s.size() == 9)
        {
            expect(s[8], kind::none, "numpy.dtype's metadata");
        }
        integer(s[0], "numpy.dtype's state version");
        target->descr.big_endian = order == ">" && item_size(target->descr.type) > 1;
        return;
    }
    if (target->type == kind::array)
    {
        // ([version,] shape, dtype, is_fortran, rawdata)
        if (s.size() != 4 && s.size() != 5)
        {
            fail("numpy.ndarray state" + at() + " has " + std::to_string(s.size()) +
                 " items; expected 5");
        }
        const std::size_t o = s.size() - 4;
        expect(s[o + 1], kind::dtype, "numpy.ndarray's dtype");
        const bool fortran = integer(s[o + 2], "numpy.ndarray's is_fortran flag") != 0;
        set_array(*target, shape_of(s[o]), *s[o + 1], fortran, s[o + 3]);
        return;
    }
    fail(std::string("BUILD") + at() + " applies to a " + pickle_kind_name(target->type) +
         "; expected a numpy.ndarray or numpy.dtype");
}

// SETITEM(S): dict[key] = value for str keys and array values; a repeated key keeps its place
// and takes the new value, as in Python.
inline void pickle_machine::set_items(std::vector<value_ptr> items, const value_ptr& dict)
{
    expect(dict, kind::dict, "SETITEMS' target");
    if (items.size() % 2 != 0)
    {
        fail("SETITEMS" + at() + " has an odd number of items (" + std::to_string(items.size()) +
             ")");
    }
    for (std::size_t i = 0; i < items.size(); i += 2)
    {
        expect(items[i], kind::str, "dict key");
        const std::string& key = items[i]->text;
        expect(items[i + 1], kind::array,
               "value for key '" + xtnn::detail::escape_bytes(key) + "'");
        const auto [where, added] = m_index.emplace(key, m_entries.size());
        if (added)
        {
            m_entries.emplace_back(key, items[i + 1]);
        }
        else
        {
            m_entries[where->second].second = items[i + 1];
        }
    }
}

inline named_arrays pickle_machine::run()
{
    const value_ptr result = execute();
    expect(result, kind::dict, "the pickled object");
    m_stack.clear();  // now the dict holds the only references to its arrays
    m_memo.clear();
    named_arrays arrays;
    for (auto& [key, value] : m_entries)
    {
        if (!value->array)
        {
            fail("array '" + xtnn::detail::escape_bytes(key) + "' has no data" + at() +
                 " (no BUILD)");
        }
        if (value.use_count() == 1)
        {
            arrays.emplace_back(key, std::move(*value->array));
        }
        else  // one array under several keys: each gets a copy
        {
            charge(value->array->data.size());
            arrays.emplace_back(key, *value->array);
        }
    }
    return arrays;
}

inline torch_tensor_refs pickle_machine::run_torch()
{
    const value_ptr result = execute();
    if (result->type != kind::dict)
    {
        fail(std::string("the pickled object is a ") + pickle_kind_name(result->type) +
             "; expected a state_dict (an OrderedDict of str -> tensor)");
    }
    torch_tensor_refs tensors;
    for (const auto& [key, value] : result->entries)
    {
        expect(key, kind::str, "a state_dict key");
        if (value->type != kind::tensor)
        {
            fail("state_dict entry '" + xtnn::detail::escape_bytes(key->text) + "' is a " +
                 pickle_kind_name(value->type) + "; expected a tensor");
        }
        const pickle_value& storage = *value->items[0];
        torch_tensor_ref ref;
        ref.storage_key = storage.text;
        ref.type = storage.element;
        ref.storage_count = static_cast<std::size_t>(storage.integer);
        ref.location = storage.location;
        ref.offset = static_cast<std::size_t>(value->integer);
        ref.shape = value->shape;
        ref.stride = value->stride;
        tensors.emplace_back(key->text, std::move(ref));  // keys are unique (torch_set_items)
    }
    return tensors;
}

// A whole number >= 0 from a torch argument.
inline std::size_t pickle_machine::torch_size(const value_ptr& v, const std::string& what)
{
    const std::int64_t n = integer(v, what);
    if (n < 0)
    {
        fail(what + at() + " is " + std::to_string(n) + "; expected a whole number >= 0");
    }
    return static_cast<std::size_t>(n);
}

inline std::vector<std::size_t> pickle_machine::torch_sizes(const value_ptr& v,
                                                            const std::string& what)
{
    expect(v, kind::tuple, what);
    std::vector<std::size_t> out;
    for (const auto& item : v->items)
    {
        out.push_back(torch_size(item, what));
    }
    return out;
}

// REDUCE in the torch dialect: OrderedDict() and _rebuild_tensor_v2(...).
inline void pickle_machine::torch_reduce(const value_ptr& callable, const std::vector<value_ptr>& a)
{
    switch (callable->global)
    {
    case pickle_global::ordered_dict:
        if (!a.empty())
        {
            fail("collections.OrderedDict" + at() + " gets " + std::to_string(a.size()) +
                 " arguments; expected none");
        }
        push(make(kind::dict));
        return;
    case pickle_global::rebuild_tensor_v2:
    {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.size() != 6 && a.size() != 7)
        {
            fail("_rebuild_tensor_v2" + at() + " gets " + std::to_string(a.size()) +
                 " arguments; expected 6 or 7");
        }
        expect(a[0], kind::storage, "_rebuild_tensor_v2's storage");
        auto t = make(kind::tensor);
        t->integer = static_cast<std::int64_t>(torch_size(a[1], "_rebuild_tensor_v2's storage offset"));
        t->shape = torch_sizes(a[2], "_rebuild_tensor_v2's size");
        t->stride = torch_sizes(a[3], "_rebuild_tensor_v2's stride");
        if (t->shape.size() != t->stride.size())
        {
            fail("_rebuild_tensor_v2" + at() + " gets " + std::to_string(t->shape.size()) +
                 " sizes and " + std::to_string(t->stride.size()) + " strides");
        }
        integer(a[4], "_rebuild_tensor_v2's requires_grad");
        expect(a[5], kind::dict, "_rebuild_tensor_v2's backward_hooks");
        if (!a[5]->entries.empty())
        {
            fail("a tensor" + at() + " has backward hooks; a state_dict's have none");
        }
        if (a.size() == 7 && a[6]->type != kind::none && a[6]->type != kind::dict)
        {
            fail("_rebuild_tensor_v2's metadata" + at() + " is " + pickle_kind_name(a[6]->type) +
                 "; expected None or a dict");
        }
        t->items.push_back(a[0]);
        push(std::move(t));
        return;
    }
    case pickle_global::storage_type:
        fail(callable->text + at() + " is called; expected it only in a storage's persistent id");
    default:
        break;
    }
    fail(std::string(pickle_global_name(callable->global)) + at() + " cannot be called here");
}

// BINPERSID: ('storage', torch.FloatStorage, key, location, numel) -> a storage.
inline void pickle_machine::torch_persistent_id()
{
    const value_ptr pid = pop("BINPERSID");
    expect(pid, kind::tuple, "a persistent id");
    const auto& p = pid->items;
    if (p.size() != 5 || p[0]->type != kind::str || p[0]->text != "storage")
    {
        fail("a persistent id" + at() + " is not ('storage', type, key, location, size)");
    }
    if (p[1]->type != kind::global || p[1]->global != pickle_global::storage_type)
    {
        fail("a storage's type" + at() + " is a " + pickle_kind_name(p[1]->type) +
             "; expected torch.FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, "
             "LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage or BoolStorage");
    }
    expect(p[2], kind::str, "a storage's key");
    expect(p[3], kind::str, "a storage's location");
    auto storage = make(kind::storage);
    storage->element = p[1]->element;
    storage->text = p[2]->text;
    storage->location = p[3]->text;
    storage->integer = static_cast<std::int64_t>(torch_size(p[4], "a storage's size"));
    push(std::move(storage));
}

// SETITEM(S) in the torch dialect: any dict, str keys, values of any kind but a global.
// A dict that is inside another value takes no more items, so no value can contain itself.
inline void pickle_machine::torch_set_items(std::vector<value_ptr> items, const value_ptr& dict)
{
    expect(dict, kind::dict, "SETITEMS' target");
    if (items.size() % 2 != 0)
    {
        fail("SETITEMS" + at() + " has an odd number of items (" + std::to_string(items.size()) +
             ")");
    }
    if (dict->frozen)
    {
        fail("SETITEMS" + at() + " adds to a dict that is already inside another value");
    }
    for (std::size_t i = 0; i < items.size(); i += 2)
    {
        const value_ptr& key = items[i];
        const value_ptr& value = items[i + 1];
        expect(key, kind::str, "dict key");
        if (value->type == kind::global || value == dict)
        {
            fail("value for key '" + xtnn::detail::escape_bytes(key->text) + "'" + at() + " is a " +
                 (value == dict ? std::string("the dict itself") : std::string("global")) +
                 "; expected a tensor, a number, a string or a dict");
        }
        value->frozen = true;
        dict->depth = std::max(dict->depth, value->depth + 1);
        if (dict->depth > max_depth)
        {
            fail("dicts nested deeper than " + std::to_string(max_depth) + at());
        }
        if (!dict->index)
        {
            dict->index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
        }
        const auto [where, added] = dict->index->emplace(key->text, dict->entries.size());
        if (added)
        {
            dict->entries.emplace_back(key, value);
        }
        else
        {
            dict->entries[where->second].second = value;  // as in Python: the new value
        }
    }
}

inline pickle_machine::value_ptr pickle_machine::execute()
{
    for (;;)
    {
        m_op = m_in.offset();
        if (m_in.at_end())
        {
            fail("ends at offset " + std::to_string(m_op) + " without a STOP opcode");
        }
        const std::uint8_t op = m_in.u8("opcode");
        switch (op)
        {
        case 0x80:  // PROTO
        {
            const unsigned version = m_in.u8("PROTO");
            if (version > 5)
            {
                fail("unsupported pickle protocol " + std::to_string(version) + at() +
                     "; expected 2 to 5");
            }
            break;
        }
        case 0x95:  // FRAME: a length prefix for buffered reading; nothing to do but check it
            if (m_in.le<std::uint64_t>("FRAME") > m_in.remaining())
            {
                fail("FRAME" + at() + " is longer than the rest of the data");
            }
            break;
        case '}':
            if (torch())
            {
                push(make(kind::dict));
                break;
            }
            if (m_dict_made)
            {
                fail("a second dict" + at() + "; expected one dict of str -> numpy.ndarray");
            }
            m_dict_made = true;
            push(make(kind::dict));
            break;
        case ')':
            push_tuple({});
            break;
        case 'N':
            push(m_none);
            break;
        case '(':
            if (m_marks.size() >= max_values)
            {
                fail("more than " + std::to_string(max_values) + " open MARKs" + at());
            }
            m_marks.push_back(m_stack.size());
            break;
        case 0x88:  // NEWTRUE
        case 0x89:  // NEWFALSE
            push(op == 0x88 ? m_true : m_false);
            break;
        case 'J':  // BININT, BININT1, BININT2, LONG1
        case 'K':
        case 'M':
        case 0x8a:
        {
            auto n = make(kind::integer);
            if (op == 'J')
                n->integer = m_in.le<std::int32_t>("BININT");
            else if (op == 'K')
                n->integer = m_in.u8("BININT1");
            else if (op == 'M')
                n->integer = m_in.le<std::uint16_t>("BININT2");
            else
            {
                const std::size_t size = m_in.u8("LONG1");
                if (size > 8)
                {
                    fail("LONG1" + at() + " has " + std::to_string(size) +
                         " bytes; expected at most 8");
                }
                const std::uint8_t* p = m_in.take(size, "LONG1");
                std::uint64_t bits = 0;
                for (std::size_t i = 0; i < size; ++i)
                {
                    bits |= std::uint64_t(p[i]) << (8 * i);
                }
                if (size > 0 && size < 8 && (p[size - 1] & 0x80))
                {
                    bits |= ~std::uint64_t(0) << (8 * size);  // sign-extend two's complement
                }
                n->integer = static_cast<std::int64_t>(bits);
            }
            push(std::move(n));
            break;
        }
        case 'X':
            push_str(m_in.le<std::uint32_t>("BINUNICODE"));
            break;
        case 0x8c:
            push_str(m_in.u8("SHORT_BINUNICODE"));
            break;
        case 0x8d:
            push_str(m_in.le<std::uint64_t>("BINUNICODE8"));
            break;
        case 'B':
            push_bytes(m_in.le<std::uint32_t>("BINBYTES"));
            break;
        case 'C':
            push_bytes(m_in.u8("SHORT_BINBYTES"));
            break;
        case 0x8e:  // BINBYTES8
        case 0x96:  // BYTEARRAY8: protocol 5's in-band buffer
            push_bytes(m_in.le<std::uint64_t>("BINBYTES8"));
            break;
        case 0x97:  // NEXT_BUFFER
        case 0x98:  // READONLY_BUFFER
            fail("out-of-band buffer (" + pickle_opcode_name(op) + ")" + at() +
                 " is not supported; pickle without buffer_callback");
        case 'q':  // BINPUT, LONG_BINPUT, MEMOIZE
        case 'r':
        case 0x94:
        {
            const std::uint64_t key = op == 'q'   ? m_in.u8("BINPUT")
                                      : op == 'r' ? m_in.le<std::uint32_t>("LONG_BINPUT")
                                                  : m_memo.size();
            if (m_stack.size() <= floor())
            {
                fail("stack underflow: memo store" + at() + " needs an item");
            }
            if (m_memo.size() >= max_values && !m_memo.count(key))
            {
                fail("more than " + std::to_string(max_values) + " memo entries" + at());
            }
            m_memo[key] = m_stack.back();
            break;
        }
        case 'h':  // BINGET, LONG_BINGET
        case 'j':
        {
            const std::uint64_t key =
                op == 'h' ? m_in.u8("BINGET") : m_in.le<std::uint32_t>("LONG_BINGET");
            const auto found = m_memo.find(key);
            if (found == m_memo.end())
            {
                fail("memo index " + std::to_string(key) + at() + " was never stored");
            }
            push(found->second);
            break;
        }
        case 'c':  // GLOBAL "module\nname\n"
        {
            std::string parts[2];
            for (auto& part : parts)
            {
                const std::size_t start = m_in.offset();
                while (m_in.u8("GLOBAL") != '\n')
                {
                    if (m_in.offset() - start > 256)
                    {
                        fail("GLOBAL" + at() + " has a name longer than 256 bytes");
                    }
                }
                part.assign(reinterpret_cast<const char*>(m_in.data() + start),
                            m_in.offset() - start - 1);
            }
            push_global(parts[0], parts[1]);
            break;
        }
        case 0x93:  // STACK_GLOBAL
        {
            const value_ptr name = pop("STACK_GLOBAL");
            const value_ptr module = pop("STACK_GLOBAL");
            expect(name, kind::str, "STACK_GLOBAL's name");
            expect(module, kind::str, "STACK_GLOBAL's module");
            push_global(module->text, name->text);
            break;
        }
        case 't':
            push_tuple(pop_to_mark("TUPLE"));
            break;
        case 0x85:  // TUPLE1..TUPLE3
        case 0x86:
        case 0x87:
        {
            std::vector<value_ptr> items(static_cast<std::size_t>(op - 0x84));
            for (auto it = items.rbegin(); it != items.rend(); ++it)
            {
                *it = pop("TUPLE1/2/3");
            }
            push_tuple(std::move(items));
            break;
        }
        case 'R':
            reduce();
            break;
        case 'b':
            build();
            break;
        case 's':  // SETITEM
        {
            value_ptr value = pop("SETITEM");
            value_ptr key = pop("SETITEM");
            value_ptr dict = pop("SETITEM");
            if (torch())
                torch_set_items({std::move(key), std::move(value)}, dict);
            else
                set_items({std::move(key), std::move(value)}, dict);
            push(std::move(dict));
            break;
        }
        case 'u':  // SETITEMS
        {
            std::vector<value_ptr> items = pop_to_mark("SETITEMS");
            value_ptr dict = pop("SETITEMS");
            if (torch())
                torch_set_items(std::move(items), dict);
            else
                set_items(std::move(items), dict);
            push(std::move(dict));
            break;
        }
        case '.':  // STOP
            if (m_stack.size() != 1 || !m_marks.empty())
            {
                fail("STOP" + at() + " leaves " + std::to_string(m_stack.size()) + " values and " +
                     std::to_string(m_marks.size()) + " marks; expected exactly one dict");
            }
            return m_stack.back();
        case 'Q':  // BINPERSID: a torch storage
            if (!torch())
            {
                fail("opcode " + pickle_opcode_name(op) + at() + " is not supported");
            }
            torch_persistent_id();
            break;
        default:
            fail("opcode " + pickle_opcode_name(op) + at() + " is not supported");
        }
    }
}
}  // namespace detail

/// Parses a pickle held in memory; `name` is the file name used in messages.
/// Only these globals are recognised, and each is interpreted, never called:
/// numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype,
/// numpy.core.numeric._frombuffer (protocol 5; also numpy._core.* as numpy 2 names them),
/// and _codecs.encode / __builtin__.bytes (protocol 2's raw data).
/// @returns the dict's arrays in dict order, C order and little-endian whatever the pickle
/// stores (the book's W1..W3 are Fortran-ordered).
/// @throws format_error for anything that is not one dict of str -> numpy array of a
/// supported dtype: any other global, an unsupported opcode or out-of-band buffer, truncated
/// data, stack underflow, an unknown memo index, wrong argument types, data whose length does
/// not match the shape, tuples nested deeper than 32, more than 2^20 values, or data
/// expanding beyond 4x the input.
inline named_arrays parse_pickle(const std::uint8_t* data, std::size_t size,
                                 const std::string& name = "<memory>")
{
    const std::string context = "xtnn::io::parse_pickle: " + xtnn::detail::quoted(name);
    return detail::pickle_machine(data, size, context).run();
}

/// Reads a pickle file holding a dict of str -> numpy array, such as the book's
/// sample_weight.pkl (protocols 2 to 5, numpy 1.x or 2.x).
/// @throws io_error when the file cannot be read; format_error as parse_pickle.
inline named_arrays read_pickle(const std::string& path)
{
    const char* where = "xtnn::io::read_pickle";
    const auto bytes = xtnn::detail::read_file(path, where);
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    return detail::pickle_machine(bytes.data(), bytes.size(), context).run();
}
}  // namespace xtnn::io
