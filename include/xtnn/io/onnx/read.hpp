// SPDX-License-Identifier: MIT
// Reading ONNX models (torch.onnx.export's, onnx.helper's, save_onnx's) into an xtnn network,
// through the official ONNX protobuf classes. The graph must be a linear chain from its one
// input to its one output over this subset of the default domain, opsets 13 to 20:
//   Gemm (alpha, beta, transB; transA = 0), MatMul (+ Add: the bias)  -> dense
//   Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Softmax (last axis)  -> the activation
//   Gelu (opset 20), the erf form torch writes below opset 20:
//     Div(x, √2) → Erf → Add 1 → Mul x → Mul 0.5                        -> gelu
//   and save_onnx's tanh form (io/onnx/write.hpp)                       -> gelu("tanh")
//   Sigmoid(x) → Mul x                                                  -> silu
//   BatchNormalization (inference), LayerNormalization (last axis)     -> batch_norm, layer_norm
//   Dropout (inference)                                                -> dropout
//   Mul/Div by and Add/Sub of a scalar                                 -> rescale
//   Sub/Add of and Mul/Div by one value per feature                    -> standardize
//   Flatten (axis 1), Reshape to (batch, features), Identity          -> nothing
// Weights come from initializers and Constant nodes. Anything else is refused with the node's
// name and op type. The file is a security boundary: every size is checked against the data
// present before anything is allocated, and nothing in it is executed.
#pragma once

#include <algorithm>
#include <climits>
#include <iterator>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/onnx/tensor.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>

namespace xtnn::io
{
/// The opsets of the default ONNX domain that load_onnx reads.
inline constexpr std::int64_t onnx_min_opset = 13;
inline constexpr std::int64_t onnx_max_opset = 20;

namespace onnx_detail
{
/// "'name' (Op)", or "#index (Op)" for a node without a name.
inline std::string describe(const onnx::NodeProto& node, int index)
{
    std::string op = node.domain().empty() || node.domain() == "ai.onnx"
                         ? node.op_type()
                         : node.domain() + "." + node.op_type();
    return (node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'") + " (" +
           op + ")";
}

inline const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name)
{
    for (const auto& a : node.attribute())
    {
        if (a.name() == name)
        {
            return &a;
        }
    }
    return nullptr;
}

/// Builds the layers of a chain graph, node by node.
template <class T>
class graph_reader
{
public:
    graph_reader(const onnx::GraphProto& graph, std::int64_t opset, std::string where)
      : m_graph(graph)
      , m_opset(opset)
      , m_where(std::move(where))
    {
    }

    network<T> read()
    {
        try
        {
            return read_graph();
        }
        catch (const error& e)
        {
            const std::string what = e.what();
            if (what.rfind(m_where, 0) == 0)
            {
                throw;
            }
            // a layer's own check (a NaN alpha, an epsilon <= 0), said about this file
            if (dynamic_cast<const shape_error*>(&e))
            {
                throw shape_error(m_where + ": " + what);
            }
            throw format_error(m_where + ": " + what);
        }
    }

private:
    network<T> read_graph()
    {
        for (const auto& tensor : m_graph.initializer())
        {
            m_constants[tensor.name()] = &tensor;
        }
        find_input();
        register_constants();
        count_consumers();
        for (std::size_t k = 0; k < m_ops.size(); ++k)
        {
            k += read_node(k);
        }
        if (m_graph.output_size() != 1)
        {
            throw format_error(m_where + ": the graph has " + std::to_string(m_graph.output_size()) +
                               " outputs; xtnn reads models with one");
        }
        if (m_graph.output(0).name() != m_current)
        {
            throw format_error(m_where + ": the graph is not a linear chain: its output '" +
                               m_graph.output(0).name() + "' is not the last node's output '" +
                               m_current + "'");
        }
        if (m_layers.empty())
        {
            m_layers.emplace_back(identity<T>());
        }
        return m_inputs ? network<T>(m_inputs, std::move(m_layers)) : network<T>(std::move(m_layers));
    }

    // --- the graph's input, its constants, and who uses which tensor --------------------

    void find_input()
    {
        std::vector<const onnx::ValueInfoProto*> inputs;
        for (const auto& input : m_graph.input())
        {
            if (!m_constants.count(input.name()))  // IR < 4 lists initializers as inputs too
            {
                inputs.push_back(&input);
            }
        }
        if (inputs.size() != 1)
        {
            std::string names;
            for (const auto* input : inputs)
            {
                names += (names.empty() ? "" : ", ") + ("'" + input->name() + "'");
            }
            throw format_error(m_where + ": the graph has " + std::to_string(inputs.size()) +
                               " inputs" + (names.empty() ? "" : " (" + names + ")") +
                               "; xtnn reads models with one");
        }
        const onnx::ValueInfoProto& input = *inputs.front();
        m_current = input.name();
        m_dims = {-1};  // (batch, unknown width) when the input has no shape
        if (!input.type().has_tensor_type())
        {
            throw format_error(m_where + ": the graph's input '" + input.name() + "' is not a tensor");
        }
        const auto& type = input.type().tensor_type();
        if (type.elem_type() != onnx::TensorProto_DataType_FLOAT &&
            type.elem_type() != onnx::TensorProto_DataType_DOUBLE)
        {
            throw format_error(m_where + ": the graph's input '" + input.name() + "' is " +
                               data_type_name(type.elem_type()) + "; xtnn reads FLOAT or DOUBLE");
        }
        if (type.has_shape())
        {
            if (type.shape().dim_size() < 2)
            {
                throw format_error(m_where + ": the graph's input '" + input.name() + "' has rank " +
                                   std::to_string(type.shape().dim_size()) +
                                   "; expected (batch, features...)");
            }
            m_dims.clear();
            for (int d = 1; d < type.shape().dim_size(); ++d)
            {
                const auto& dim = type.shape().dim(d);
                m_dims.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1);
            }
            m_inputs = flat_width();
        }
    }

    /// Constant nodes, and Identity nodes of a constant (torch writes those for tied values),
    /// become constants; every other node is one of m_ops, in the graph's (topological) order.
    void register_constants()
    {
        for (int i = 0; i < m_graph.node_size(); ++i)
        {
            const auto& node = m_graph.node(i);
            if (node.op_type() == "Constant" && is_default_domain(node) && node.output_size() == 1)
            {
                m_constants[node.output(0)] = constant_node_value(node, i);
            }
            else if (node.op_type() == "Identity" && is_default_domain(node) &&
                     node.input_size() == 1 && m_constants.count(node.input(0)))
            {
                m_constants[node.output(0)] = m_constants[node.input(0)];
            }
            else
            {
                m_ops.push_back(i);
            }
        }
    }

    const onnx::TensorProto* constant_node_value(const onnx::NodeProto& node, int index)
    {
        if (const auto* a = attribute(node, "value"))
        {
            return &a->t();
        }
        onnx::TensorProto& made = m_made.emplace_back();
        if (const auto* a = attribute(node, "value_float"))
        {
            made.set_data_type(onnx::TensorProto_DataType_FLOAT);
            made.add_float_data(a->f());
        }
        else if (const auto* b = attribute(node, "value_floats"))
        {
            made.set_data_type(onnx::TensorProto_DataType_FLOAT);
            made.add_dims(b->floats_size());
            *made.mutable_float_data() = b->floats();
        }
        else if (const auto* c = attribute(node, "value_int"))
        {
            made.set_data_type(onnx::TensorProto_DataType_INT64);
            made.add_int64_data(c->i());
        }
        else if (const auto* d = attribute(node, "value_ints"))
        {
            made.set_data_type(onnx::TensorProto_DataType_INT64);
            made.add_dims(d->ints_size());
            *made.mutable_int64_data() = d->ints();
        }
        else
        {
            throw format_error(m_where + ": node " + describe(node, index) +
                               " holds no value, value_float(s) or value_int(s)");
        }
        return &made;
    }

    void count_consumers()
    {
        for (const int i : m_ops)
        {
            for (const auto& name : m_graph.node(i).input())
            {
                if (!name.empty())
                {
                    ++m_consumers[name];
                }
            }
            for (const auto& name : m_graph.node(i).output())
            {
                m_produced[name] = i;
            }
        }
        for (const auto& output : m_graph.output())
        {
            ++m_consumers[output.name()];
        }
    }

    // --- one node of the chain ----------------------------------------------------------

    /// Reads m_ops[k] (and the nodes of a pattern it starts); returns how many nodes after it
    /// it consumed too.
    std::size_t read_node(std::size_t k)
    {
        const int index = m_ops[k];
        const auto& node = m_graph.node(index);
        const std::string& op = node.op_type();
        const std::string name = describe(node, index);
        // before the chain checks, so that a model with a Conv (or LayerNorm torch wrote
        // below opset 17 as ReduceMean, Sub, Pow, ...) hears about that op first
        static const char* const supported[] = {
            "Identity", "Flatten", "Reshape", "Gemm", "MatMul", "Relu", "LeakyRelu", "Elu",
            "Sigmoid", "Tanh", "Softplus", "Softmax", "Gelu", "BatchNormalization",
            "LayerNormalization", "Dropout", "Add", "Sub", "Mul", "Div"};
        if (!is_default_domain(node) ||
            std::find(std::begin(supported), std::end(supported), op) == std::end(supported) ||
            (op == "LayerNormalization" && m_opset < 17))
        {
            unsupported(node, index);
        }
        if (op == "Div" || op == "Mul" || op == "Sigmoid")
        {
            if (const std::size_t n = activation_pattern(k))
            {
                need_flat(name);
                m_current = m_graph.node(m_ops[k + n - 1]).output(0);
                return n - 1;
            }
        }
        check_arity(node, index);
        const bool fresh = m_fresh;
        const int data = data_input(node, index);
        check_outputs(node, index);
        m_fresh = false;

        if (op == "Identity")
        {
        }
        else if (op == "Flatten")
        {
            flatten(node, index);
        }
        else if (op == "Reshape")
        {
            reshape(node, index);
        }
        else
        {
            need_flat(name);
            if (op == "Gemm")
            {
                gemm(node, index);
            }
            else if (op == "MatMul")
            {
                matmul(node, index);
            }
            else if (op == "Relu")
            {
                add(relu<T>());
            }
            else if (op == "LeakyRelu")
            {
                add(leaky_relu<T>(number(node, "alpha", 0.01)));
            }
            else if (op == "Elu")
            {
                add(elu<T>(number(node, "alpha", 1.0)));
            }
            else if (op == "Sigmoid")
            {
                add(sigmoid<T>());
            }
            else if (op == "Tanh")
            {
                add(xtnn::tanh<T>());
            }
            else if (op == "Softplus")
            {
                add(softplus<T>());
            }
            else if (op == "Softmax")
            {
                last_axis(node, index, -1);
                add(softmax<T>());
            }
            else if (op == "Gelu")
            {
                if (m_opset < 20)
                {
                    throw format_error(m_where + ": node " + name + " needs opset 20; the model "
                                       "declares opset " + std::to_string(m_opset));
                }
                const auto* a = attribute(node, "approximate");
                const std::string form = a ? a->s() : "none";
                if (form != "none" && form != "tanh")
                {
                    throw format_error(m_where + ": node " + name + " has approximate '" + form +
                                       "'; expected none or tanh");
                }
                add(gelu<T>(form));
            }
            else if (op == "BatchNormalization")
            {
                batch_normalization(node, index);
            }
            else if (op == "LayerNormalization")
            {
                layer_normalization(node, index);
            }
            else if (op == "Dropout")
            {
                dropout_node(node, index);
            }
            else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
            {
                elementwise(node, index, data, fresh);
            }
            else
            {
                unsupported(node, index);
            }
        }
        m_current = node.output(0);
        return 0;
    }

    [[noreturn]] void unsupported(const onnx::NodeProto& node, int index) const
    {
        throw format_error(m_where + ": unsupported ONNX node " + describe(node, index) +
                           "; xtnn reads a chain of Gemm, MatMul, Add, Sub, Mul, Div, Relu, "
                           "LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Softmax, Gelu (opset 20) or "
                           "its erf form, BatchNormalization, LayerNormalization (opset 17), "
                           "Dropout, Flatten, Reshape, Identity and Constant nodes");
    }

    /// The number of inputs each op takes (ONNX's optional ones included), so that nothing
    /// reads an input the node does not have.
    void check_arity(const onnx::NodeProto& node, int index) const
    {
        const std::string& op = node.op_type();
        int least = 1, most = 1;
        if (op == "Gemm" || op == "LayerNormalization")
        {
            least = 2, most = 3;
        }
        else if (op == "MatMul" || op == "Reshape" || op == "Add" || op == "Sub" || op == "Mul" ||
                 op == "Div")
        {
            least = most = 2;
        }
        else if (op == "BatchNormalization")
        {
            least = most = 5;
        }
        else if (op == "Dropout")
        {
            most = 3;
        }
        if (node.input_size() < least || node.input_size() > most)
        {
            throw format_error(m_where + ": node " + describe(node, index) + " has " +
                               std::to_string(node.input_size()) + " inputs; " + op + " takes " +
                               std::to_string(least) +
                               (most == least ? std::string() : " to " + std::to_string(most)));
        }
    }

    static bool is_default_domain(const onnx::NodeProto& node)
    {
        return node.domain().empty() || node.domain() == "ai.onnx";
    }

    /// The position of the chain's tensor among the node's inputs; every other input must be
    /// a constant. Add and Mul take it on either side, the others first.
    int data_input(const onnx::NodeProto& node, int index)
    {
        int data = -1;
        for (int i = 0; i < node.input_size(); ++i)
        {
            if (node.input(i) == m_current && data < 0)
            {
                data = i;
            }
        }
        const bool commutes = node.op_type() == "Add" || node.op_type() == "Mul";
        if (data < 0 || (data > 0 && !commutes))
        {
            throw format_error(m_where + ": the graph is not a linear chain: node " +
                               describe(node, index) + " does not take '" + m_current +
                               "', the output of the node before it, as its first input");
        }
        if (m_consumers[m_current] != 1)
        {
            throw format_error(m_where + ": the graph is not a linear chain: '" + m_current +
                               "' is used by " + std::to_string(m_consumers[m_current]) +
                               " nodes or outputs");
        }
        for (int i = 0; i < node.input_size(); ++i)
        {
            if (i != data && !node.input(i).empty())
            {
                constant(node, index, i);  // throws when it is not one
            }
        }
        return data;
    }

    /// Outputs after the first (BatchNormalization's running statistics in training mode,
    /// Dropout's mask, LayerNormalization's mean) must go unused.
    void check_outputs(const onnx::NodeProto& node, int index)
    {
        if (node.output_size() < 1 || node.output(0).empty())
        {
            throw format_error(m_where + ": node " + describe(node, index) + " has no output");
        }
        for (int i = 1; i < node.output_size(); ++i)
        {
            if (!node.output(i).empty() && m_consumers[node.output(i)] > 0)
            {
                throw format_error(m_where + ": the graph is not a linear chain: node " +
                                   describe(node, index) + "'s output '" + node.output(i) +
                                   "' is used; xtnn reads inference graphs that use only "
                                   "each node's first output");
            }
        }
    }

    /// Input i of the node, which must be an initializer or a Constant node's value.
    constant_tensor constant(const onnx::NodeProto& node, int index, int i) const
    {
        const std::string& input = node.input(i);
        const auto found = m_constants.find(input);
        if (found == m_constants.end())
        {
            if (m_produced.count(input))
            {
                throw format_error(m_where + ": the graph is not a linear chain: node " +
                                   describe(node, index) + " also takes '" + input +
                                   "', computed by node " +
                                   describe(m_graph.node(m_produced.at(input)), m_produced.at(input)));
            }
            throw format_error(m_where + ": node " + describe(node, index) + ": input '" + input +
                               "' is not an initializer, a Constant node or the graph's input");
        }
        return read_tensor(*found->second, m_where + ": node " + describe(node, index) +
                                               ": tensor '" + input + "'");
    }

    /// The value of a one-element constant input.
    double scalar(const onnx::NodeProto& node, int index, int i) const
    {
        const constant_tensor c = constant(node, index, i);
        if (c.size() != 1)
        {
            throw format_error(m_where + ": node " + describe(node, index) + ": input '" +
                               node.input(i) + "' has " + std::to_string(c.size()) +
                               " values; expected one");
        }
        return c.at(0);
    }

    static double number(const onnx::NodeProto& node, const char* key, double fallback)
    {
        const auto* a = attribute(node, key);
        return a ? static_cast<double>(a->f()) : fallback;
    }
    static std::int64_t integer(const onnx::NodeProto& node, const char* key, std::int64_t fallback)
    {
        const auto* a = attribute(node, key);
        return a ? a->i() : fallback;
    }

    // --- shapes ---------------------------------------------------------------------------

    /// The product of the current tensor's feature dims, or 0 when one is unknown.
    std::size_t flat_width() const
    {
        std::size_t width = 1;
        for (const std::int64_t d : m_dims)
        {
            if (d < 0 || !xtnn::detail::checked_multiply(width, static_cast<std::size_t>(d), width))
            {
                return 0;
            }
        }
        return width;
    }
    /// The width of the (batch, features) tensor, 0 while unknown.
    std::size_t width() const { return m_dims.size() == 1 && m_dims[0] > 0 ? m_dims[0] : 0; }
    void set_width(std::size_t width) { m_dims = {static_cast<std::int64_t>(width)}; }

    void need_flat(const std::string& name) const
    {
        if (m_dims.size() != 1)
        {
            throw format_error(m_where + ": node " + name + " takes a tensor of rank " +
                               std::to_string(m_dims.size() + 1) + "; xtnn's layers take (batch, "
                               "features): Flatten it first");
        }
    }

    /// An axis attribute that must name the last axis of a (batch, features) tensor.
    void last_axis(const onnx::NodeProto& node, int index, std::int64_t fallback) const
    {
        const std::int64_t axis = integer(node, "axis", fallback);
        if (axis != -1 && axis != 1)
        {
            throw format_error(m_where + ": node " + describe(node, index) + " has axis " +
                               std::to_string(axis) + "; xtnn's layer works on the last axis (1 or -1)");
        }
    }

    void flatten(const onnx::NodeProto& node, int index)
    {
        std::int64_t axis = integer(node, "axis", 1);
        const auto rank = static_cast<std::int64_t>(m_dims.size() + 1);
        if (axis < 0)
        {
            axis += rank;
        }
        if (axis != 1)
        {
            throw format_error(m_where + ": node " + describe(node, index) + " flattens from axis " +
                               std::to_string(integer(node, "axis", 1)) +
                               "; xtnn keeps the batch axis: expected axis 1");
        }
        const std::size_t w = flat_width();
        m_dims = {w ? static_cast<std::int64_t>(w) : -1};
    }

    /// Reshape to (batch, features): shape (-1, N), (0, N) or (0, -1), a constant.
    void reshape(const onnx::NodeProto& node, int index)
    {
        const constant_tensor shape = constant(node, index, 1);
        const std::size_t w = flat_width();
        const bool allowzero = integer(node, "allowzero", 0) != 0;
        bool ok = shape.is_integer && shape.size() == 2 && !allowzero;
        if (ok)
        {
            const std::int64_t batch = shape.ints[0], features = shape.ints[1];
            ok = (batch == -1 && features > 0 && (w == 0 || features == static_cast<std::int64_t>(w))) ||
                 (batch == 0 && (features == -1 || (features > 0 && (w == 0 || features == static_cast<std::int64_t>(w)))));
            if (ok)
            {
                m_dims = {features > 0 ? features : (w ? static_cast<std::int64_t>(w) : -1)};
            }
        }
        if (!ok)
        {
            std::string text;
            for (std::size_t i = 0; i < shape.size(); ++i)
            {
                // A float shape may hold NaN or 1e30: printed as it is, never cast to an integer.
                std::ostringstream value;
                value << shape.at(i);
                text += (i ? ", " : "") +
                        (shape.is_integer ? std::to_string(shape.ints[i]) : value.str());
            }
            throw format_error(m_where + ": node " + describe(node, index) + " reshapes to (" +
                               text + "); xtnn reads only a reshape to (batch, features): "
                               "(-1, N), (0, N) or (0, -1)");
        }
    }

    // --- the layers -----------------------------------------------------------------------

    template <class L>
    void add(L layer)
    {
        m_layers.emplace_back(std::move(layer));
        m_fresh = true;
    }

    /// A dense layer's input width against the tensor before it.
    void check_width(const onnx::NodeProto& node, int index, std::size_t in) const
    {
        if (width() != 0 && width() != in)
        {
            throw shape_error(m_where + ": node " + describe(node, index) + " has a weight for " +
                              std::to_string(in) + " inputs, but the tensor before it has " +
                              std::to_string(width()) + " features");
        }
        if (m_layers.empty() && m_inputs == 0)
        {
            m_inputs = in;  // the model's input width, when its input had no shape
        }
    }

    /// Y = alpha·A·op(B) + beta·C, op(B) = Bᵀ when transB: kernel = alpha·op(B), bias = beta·C.
    void gemm(const onnx::NodeProto& node, int index)
    {
        if (integer(node, "transA", 0) != 0)
        {
            throw format_error(m_where + ": node " + describe(node, index) +
                               " has transA = 1; xtnn reads Gemm with the batch as A's rows");
        }
        const constant_tensor b = weight(node, index);
        const bool trans_b = integer(node, "transB", 0) != 0;
        const double alpha = number(node, "alpha", 1.0), beta = number(node, "beta", 1.0);
        const auto in = static_cast<std::size_t>(trans_b ? b.dims[1] : b.dims[0]);
        const auto units = static_cast<std::size_t>(trans_b ? b.dims[0] : b.dims[1]);
        check_width(node, index, in);
        matrix<T> kernel = xt::zeros<T>({in, units});
        for (std::size_t r = 0; r < in; ++r)
        {
            for (std::size_t c = 0; c < units; ++c)
            {
                kernel(r, c) = static_cast<T>(alpha * b.values[trans_b ? c * in + r : r * units + c]);
            }
        }
        if (node.input_size() < 3 || node.input(2).empty())
        {
            add(dense_without_bias(std::move(kernel)));
        }
        else
        {
            const vector<T> bias = per_feature(node, index, 2, units, beta);
            add(dense<T>(std::move(kernel), bias));
        }
        set_width(units);
    }

    /// A weight matrix: a 2-D floating-point constant with no zero extent.
    constant_tensor weight(const onnx::NodeProto& node, int index) const
    {
        constant_tensor b = constant(node, index, 1);
        if (b.dims.size() != 2 || b.dims[0] == 0 || b.dims[1] == 0 || b.is_integer)
        {
            throw shape_error(m_where + ": node " + describe(node, index) + ": weight '" +
                              node.input(1) + "' is not a 2-D matrix of FLOAT or DOUBLE (" +
                              std::to_string(b.dims.size()) + " dims)");
        }
        return b;
    }

    /// Y = X·B: a dense layer without a bias, which an Add right after it gives.
    void matmul(const onnx::NodeProto& node, int index)
    {
        const constant_tensor b = weight(node, index);
        const auto in = static_cast<std::size_t>(b.dims[0]);
        const auto units = static_cast<std::size_t>(b.dims[1]);
        check_width(node, index, in);
        matrix<T> kernel = xt::zeros<T>({in, units});
        std::transform(b.values.begin(), b.values.end(), kernel.begin(),
                       [](double v) { return static_cast<T>(v); });
        add(dense_without_bias(std::move(kernel)));
        set_width(units);
    }

    static dense<T> dense_without_bias(matrix<T> kernel)
    {
        dense<T> layer(kernel.shape()[0], kernel.shape()[1], no_bias);
        layer.kernel() = std::move(kernel);
        return layer;
    }

    /// Constant input i as one value per feature (`n` of them, or one for all): factor·C for
    /// C of shape (), (1), (n) or (1, n).
    vector<T> per_feature(const onnx::NodeProto& node, int index, int i, std::size_t n,
                          double factor = 1.0) const
    {
        const constant_tensor c = constant(node, index, i);
        std::size_t leading = 1;
        for (std::size_t d = 0; d + 1 < c.dims.size(); ++d)
        {
            leading *= static_cast<std::size_t>(c.dims[d]);
        }
        if ((c.size() != n && c.size() != 1) || leading != 1 || c.is_integer)
        {
            throw shape_error(m_where + ": node " + describe(node, index) + ": input '" +
                              node.input(i) + "' has " + std::to_string(c.size()) +
                              " values in " + std::to_string(c.dims.size()) +
                              " dims; expected one per feature (" + std::to_string(n) + ") or one");
        }
        vector<T> v = xt::zeros<T>({n});
        for (std::size_t j = 0; j < n; ++j)
        {
            v(j) = static_cast<T>(factor * c.values[c.size() == 1 ? 0 : j]);
        }
        return v;
    }

    /// A per-feature input whose length fixes the width when it is not known yet.
    std::size_t features_of(const onnx::NodeProto& node, int index, int i) const
    {
        if (width() != 0)
        {
            return width();
        }
        const std::size_t n = constant(node, index, i).size();
        if (n <= 1)
        {
            throw shape_error(m_where + ": node " + describe(node, index) +
                              ": the number of features is unknown (the input has no shape)");
        }
        return n;
    }

    void batch_normalization(const onnx::NodeProto& node, int index)
    {
        if (integer(node, "training_mode", 0) != 0)
        {
            throw format_error(m_where + ": node " + describe(node, index) +
                               " is in training mode; export the model in eval mode");
        }
        const std::size_t n = features_of(node, index, 1);
        batch_norm<T> layer(number(node, "momentum", 0.9), number(node, "epsilon", 1e-5));
        layer.gamma() = exact_features(node, index, 1, n);
        layer.beta() = exact_features(node, index, 2, n);
        layer.running_mean() = exact_features(node, index, 3, n);
        layer.running_variance() = exact_features(node, index, 4, n);
        add(std::move(layer));
        set_width(n);
    }

    void layer_normalization(const onnx::NodeProto& node, int index)
    {
        last_axis(node, index, -1);
        const std::size_t n = features_of(node, index, 1);
        layer_norm<T> layer(number(node, "epsilon", 1e-5));
        layer.gamma() = exact_features(node, index, 1, n);
        layer.beta() = node.input_size() > 2 && !node.input(2).empty()
                           ? exact_features(node, index, 2, n)
                           : vector<T>(xt::zeros<T>({n}));
        add(std::move(layer));
        set_width(n);
    }

    /// Exactly n values in one dim: BatchNormalization's and LayerNormalization's inputs.
    vector<T> exact_features(const onnx::NodeProto& node, int index, int i, std::size_t n) const
    {
        const constant_tensor c = constant(node, index, i);
        if (c.dims.size() != 1 || c.size() != n)
        {
            throw shape_error(m_where + ": node " + describe(node, index) + ": input '" +
                              node.input(i) + "' has " + std::to_string(c.size()) + " values in " +
                              std::to_string(c.dims.size()) + " dims; expected (" +
                              std::to_string(n) + ",)");
        }
        return per_feature(node, index, i, n);
    }

    void dropout_node(const onnx::NodeProto& node, int index)
    {
        if (node.input_size() > 2 && !node.input(2).empty() && scalar(node, index, 2) != 0)
        {
            throw format_error(m_where + ": node " + describe(node, index) +
                               " is in training mode; export the model in eval mode");
        }
        const double ratio =
            node.input_size() > 1 && !node.input(1).empty() ? scalar(node, index, 1) : 0.5;
        if (!(ratio >= 0 && ratio < 1))
        {
            throw format_error(m_where + ": node " + describe(node, index) + " has ratio " +
                               std::to_string(ratio) + "; expected 0 <= ratio < 1");
        }
        add(dropout<T>(ratio));
    }

    /// One node of a pattern: its op and inputs, each the chain's tensor x (x_), the output
    /// of the pattern's node j (j >= 0), or a one-value constant (constant_, `value`).
    struct step
    {
        const char* op;
        int inputs[2];
        double value = 0;  // the constant input's value
    };
    static constexpr int x_ = -1, constant_ = -2;

    /// Whether m_ops[k...] are `pattern` on the chain's tensor x, each intermediate used only
    /// by the pattern and x by nothing else. Add and Mul take their inputs in either order.
    template <std::size_t N>
    bool matches(std::size_t k, const step (&pattern)[N])
    {
        if (k + N > m_ops.size())
        {
            return false;
        }
        int uses_of_x = 0;
        for (std::size_t j = 0; j < N; ++j)
        {
            const auto& n = m_graph.node(m_ops[k + j]);
            const step& s = pattern[j];
            const std::string op = s.op;
            const int arity = op == "Erf" || op == "Tanh" || op == "Sigmoid" ? 1 : 2;
            if (n.op_type() != s.op || !is_default_domain(n) || n.input_size() != arity ||
                n.output_size() < 1 || (j + 1 < N && m_consumers[n.output(0)] != 1))
            {
                return false;
            }
            const auto input_is = [&](const std::string& name, int ref) {
                if (ref == x_)
                {
                    return name == m_current;
                }
                if (ref >= 0)
                {
                    return name == m_graph.node(m_ops[k + static_cast<std::size_t>(ref)]).output(0);
                }
                const auto found = m_constants.find(name);
                if (found == m_constants.end())
                {
                    return false;
                }
                const constant_tensor c = read_tensor(*found->second, m_where + ": tensor '" + name + "'");
                return !c.is_integer && c.size() == 1 &&
                       std::fabs(c.values[0] - s.value) <= 1e-6 * std::fabs(s.value);
            };
            bool ok = input_is(n.input(0), s.inputs[0]) && (arity == 1 || input_is(n.input(1), s.inputs[1]));
            const bool commutes = op == "Add" || op == "Mul";
            if (!ok && arity == 2 && commutes)
            {
                ok = input_is(n.input(1), s.inputs[0]) && input_is(n.input(0), s.inputs[1]);
            }
            if (!ok)
            {
                return false;
            }
            uses_of_x += (s.inputs[0] == x_) + (arity == 2 && s.inputs[1] == x_);
        }
        return m_consumers[m_current] == uses_of_x;
    }

    /// GELU written out: the exact form torch.onnx.export writes below opset 20 (and
    /// save_onnx), 0.5·x·(1 + erf(x/√2)), or save_onnx's tanh form,
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); and SiLU, x·Sigmoid(x). Returns the
    /// nodes it spans, or 0.
    std::size_t activation_pattern(std::size_t k)
    {
        static const step exact[] = {{"Div", {x_, constant_}, std::sqrt(2.0)},
                                     {"Erf", {0, 0}},
                                     {"Add", {1, constant_}, 1.0},
                                     {"Mul", {x_, 2}},
                                     {"Mul", {3, constant_}, 0.5}};
        static const step tanh_form[] = {{"Mul", {x_, x_}},
                                         {"Mul", {0, x_}},
                                         {"Mul", {1, constant_}, 0.044715},
                                         {"Add", {x_, 2}},
                                         {"Mul", {3, constant_}, std::sqrt(2.0 / 3.14159265358979323846)},
                                         {"Tanh", {4, 4}},
                                         {"Add", {5, constant_}, 1.0},
                                         {"Mul", {x_, 6}},
                                         {"Mul", {7, constant_}, 0.5}};
        if (matches(k, exact))
        {
            add(gelu<T>());
            return std::size(exact);
        }
        if (matches(k, tanh_form))
        {
            add(gelu<T>("tanh"));
            return std::size(tanh_form);
        }
        static const step silu_form[] = {{"Sigmoid", {x_, x_}}, {"Mul", {x_, 0}}};  // x·σ(x)
        if (matches(k, silu_form))
        {
            add(silu<T>());
            return std::size(silu_form);
        }
        return 0;
    }

    /// Add/Sub/Mul/Div of the chain's tensor and a constant: folded into the layer before it
    /// when that layer was made by the node just before (MatMul + Add is a dense layer with a
    /// bias), else a rescale (a scalar) or a standardize (one value per feature).
    void elementwise(const onnx::NodeProto& node, int index, int data, bool fresh)
    {
        const std::string& op = node.op_type();
        const int c = 1 - data;
        const bool additive = op == "Add" || op == "Sub";
        const double sign = op == "Sub" ? -1.0 : 1.0;
        const bool is_scalar = constant(node, index, c).size() == 1;
        any_layer<T>* last = fresh ? &m_layers.back() : nullptr;
        if (additive && last)
        {
            if (auto* d = last->template get_if<dense<T>>(); d && !d->use_bias())
            {
                const vector<T> bias = per_feature(node, index, c, d->units(), sign);
                *last = any_layer<T>(dense<T>(d->kernel(), bias));
                m_fresh = true;
                return;
            }
            if (auto* r = last->template get_if<rescale<T>>(); r && is_scalar && r->offset() == 0)
            {
                *last = any_layer<T>(rescale<T>(r->scale(), sign * scalar(node, index, c)));
                m_fresh = true;
                return;
            }
        }
        if (is_scalar)
        {
            const double v = scalar(node, index, c);
            add(additive ? rescale<T>(1.0, sign * v) : rescale<T>(op == "Mul" ? v : 1.0 / v));
            return;
        }
        const std::size_t n = features_of(node, index, c);
        if (additive)  // X - m, and X + b as X - (-b)
        {
            add(standardize<T>(per_feature(node, index, c, n, -sign), xt::ones<T>({n}), 0.0));
            return;
        }
        // X·k = X / (1/k), and X / d: a standardize's std, folded into the Sub before it
        vector<T> divisor = per_feature(node, index, c, n);
        if (op == "Mul")
        {
            divisor = T(1) / divisor;
        }
        if (last)
        {
            if (auto* s = last->template get_if<standardize<T>>();
                s && s->epsilon() == 0 && xt::all(xt::equal(s->std(), T(1))))
            {
                *last = any_layer<T>(standardize<T>(s->mean(), divisor, 0.0));
                m_fresh = true;
                return;
            }
        }
        add(standardize<T>(xt::zeros<T>({n}), divisor, 0.0));
    }

    const onnx::GraphProto& m_graph;
    std::int64_t m_opset;
    std::string m_where;
    std::unordered_map<std::string, const onnx::TensorProto*> m_constants;
    std::deque<onnx::TensorProto> m_made;  // Constant nodes' value_float(s) and value_int(s)
    std::vector<int> m_ops;                 // the nodes that are not constants
    std::unordered_map<std::string, int> m_consumers;  // node inputs and graph outputs per tensor
    std::unordered_map<std::string, int> m_produced;   // the node computing each tensor
    std::vector<any_layer<T>> m_layers;
    std::string m_current;              // the chain's tensor after the nodes read so far
    std::vector<std::int64_t> m_dims;   // its dims after the batch, -1 where unknown
    mutable std::size_t m_inputs = 0;   // the network's input width, 0 while unknown
    bool m_fresh = false;               // the last layer was made by the node just read
};
}  // namespace onnx_detail

/// The network an ONNX model (serialized ModelProto bytes) describes. `name` (the file) starts
/// every message. @throws format_error for bytes that are not an ONNX model, an opset outside
/// 13..20, a graph that is not a chain, a node outside the subset (naming it and its op
/// type) or a tensor whose data does not match its dims; shape_error for weights that do not
/// fit together.
template <class T = float>
network<T> parse_onnx(const std::uint8_t* data, std::size_t size, const std::string& name = "<memory>")
{
    const std::string where = "xtnn::io::load_onnx: " + xtnn::detail::quoted(name);
    if (size > static_cast<std::size_t>(INT_MAX))
    {
        throw format_error(where + " is " + std::to_string(size) + " bytes; protobuf reads at "
                           "most 2 GiB, and ONNX stores larger models with external data");
    }
    onnx::ModelProto model;
    if (!model.ParseFromArray(data, static_cast<int>(size)))
    {
        throw format_error(where + " is not an ONNX model: its " + std::to_string(size) +
                           " bytes do not parse as an ONNX ModelProto (truncated, or another "
                           "kind of file)");
    }
    if (!model.has_graph() || model.ir_version() <= 0)
    {
        throw format_error(where + " is not an ONNX model: it has no " +
                           std::string(model.has_graph() ? "ir_version" : "graph"));
    }
    std::int64_t opset = -1;
    for (const auto& entry : model.opset_import())
    {
        if (entry.domain().empty() || entry.domain() == "ai.onnx")
        {
            opset = entry.version();
        }
    }
    if (opset < onnx_min_opset || opset > onnx_max_opset)
    {
        throw format_error(where + ": " +
                           (opset < 0 ? std::string("declares no opset of the default ONNX domain")
                                      : "opset " + std::to_string(opset) + " is not supported") +
                           "; xtnn reads opsets " + std::to_string(onnx_min_opset) + " to " +
                           std::to_string(onnx_max_opset) +
                           " (torch.onnx.export(..., opset_version=17))");
    }
    return onnx_detail::graph_reader<T>(model.graph(), opset, where).read();
}

/// The network in the ONNX file at `path` (see parse_onnx). @throws io_error when it cannot
/// be read; format_error and shape_error as parse_onnx, naming the file.
template <class T = float>
network<T> load_onnx(const std::string& path)
{
    // protobuf's limit, checked before the file is read into memory
    std::error_code ignored;
    const std::uintmax_t size = std::filesystem::file_size(path, ignored);
    if (size != static_cast<std::uintmax_t>(-1) && size > static_cast<std::uintmax_t>(INT_MAX))
    {
        throw format_error("xtnn::io::load_onnx: " + xtnn::detail::quoted(path) + " is " +
                           std::to_string(size) + " bytes; protobuf reads at most 2 GiB, and "
                           "ONNX stores larger models with external data");
    }
    const std::vector<std::uint8_t> bytes = xtnn::detail::read_file(path, "xtnn::io::load_onnx");
    return parse_onnx<T>(bytes.data(), bytes.size(), path);
}
}  // namespace xtnn::io
