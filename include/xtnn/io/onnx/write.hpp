// SPDX-License-Identifier: MIT
// Writing an xtnn network as an ONNX model that onnx.checker accepts and ONNX Runtime runs.
// Opset 17: the newest that Debian 12's onnx 1.12 checker knows, and it has
// LayerNormalization; Gelu arrived in opset 20, so gelu is written as its formula:
//   exact  0.5·x·(1 + erf(x/√2))                       Div, Erf, Add, Mul, Mul (as torch writes it)
//   tanh   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul, Mul
// Each layer becomes:
//   dense Gemm(X, W, b) (W as (in, units), transB 0), relu/sigmoid/tanh/softplus/identity the
//   op of that name, leaky_relu LeakyRelu(alpha), elu Elu(alpha), softmax Softmax(axis -1),
//   silu X·Sigmoid(X), dropout Dropout (the identity in inference), batch_norm
//   BatchNormalization(epsilon, momentum), layer_norm LayerNormalization(axis -1, epsilon),
//   rescale Mul(scale) then Add(offset), standardize Sub(mean) then Mul(1/(std + ε)) (the
//   reciprocal computed in T, as the layer does).
// The graph's input is "input" (batch, inputs) and its output "output" (batch, outputs), the
// batch a symbolic dimension "batch". Layer names prefix the node and initializer names
// ("dense_1/Gemm", "dense_1/kernel").
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <onnx/onnx_pb.h>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/onnx/tensor.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>
#include <xtnn/version.hpp>

namespace xtnn::io
{
/// The opset save_onnx writes (see above), and the IR version that goes with it.
inline constexpr std::int64_t onnx_export_opset = 17;
inline constexpr std::int64_t onnx_export_ir_version = 8;

namespace onnx_detail
{
/// Appends one layer's nodes and initializers to a graph.
template <class T>
class graph_writer
{
public:
    explicit graph_writer(onnx::GraphProto& graph)
      : m_graph(graph)
    {
    }

    /// Layer `layer` named `name`, from tensor `x` to tensor `y`.
    void layer(const any_layer<T>& layer, const std::string& name, const std::string& x,
               const std::string& y)
    {
        m_name = name;
        const std::string_view kind = layer.kind();
        if (const auto* d = layer.template get_if<dense<T>>())
        {
            const auto& w = d->kernel();
            std::vector<std::string> inputs{x, constant("kernel", w, {std::int64_t(w.shape()[0]),
                                                                      std::int64_t(w.shape()[1])})};
            if (d->use_bias())
            {
                inputs.push_back(constant("bias", d->bias()));
            }
            node("Gemm", inputs, y);
        }
        else if (kind == "identity" || kind == "relu" || kind == "sigmoid" || kind == "tanh" ||
                 kind == "softplus")
        {
            static const char* const ops[][2] = {{"identity", "Identity"}, {"relu", "Relu"},
                                                 {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"},
                                                 {"softplus", "Softplus"}};
            for (const auto& op : ops)
            {
                if (kind == op[0])
                {
                    node(op[1], {x}, y);
                }
            }
        }
        else if (const auto* l = layer.template get_if<leaky_relu<T>>())
        {
            node("LeakyRelu", {x}, y).add_attribute()->CopyFrom(real("alpha", l->alpha()));
        }
        else if (const auto* e = layer.template get_if<elu<T>>())
        {
            node("Elu", {x}, y).add_attribute()->CopyFrom(real("alpha", e->alpha()));
        }
        else if (kind == "softmax")
        {
            node("Softmax", {x}, y).add_attribute()->CopyFrom(whole("axis", -1));
        }
        else if (kind == "silu")
        {
            node("Mul", {x, node("Sigmoid", {x}, name + "/sigmoid").output(0)}, y);
        }
        else if (const auto* g = layer.template get_if<gelu<T>>())
        {
            gelu_formula(g->approximate() == "tanh", x, y);
        }
        else if (const auto* r = layer.template get_if<dropout<T>>())
        {
            node("Dropout", {x, scalar("ratio", r->rate())}, y);
        }
        else if (const auto* b = layer.template get_if<batch_norm<T>>())
        {
            auto& n = node("BatchNormalization",
                           {x, constant("gamma", b->gamma()), constant("beta", b->beta()),
                            constant("moving_mean", b->running_mean()),
                            constant("moving_variance", b->running_variance())},
                           y);
            n.add_attribute()->CopyFrom(real("epsilon", b->epsilon()));
            n.add_attribute()->CopyFrom(real("momentum", b->momentum()));
        }
        else if (const auto* n = layer.template get_if<layer_norm<T>>())
        {
            auto& node_ = node("LayerNormalization",
                               {x, constant("gamma", n->gamma()), constant("beta", n->beta())}, y);
            node_.add_attribute()->CopyFrom(whole("axis", -1));
            node_.add_attribute()->CopyFrom(real("epsilon", n->epsilon()));
        }
        else if (const auto* s = layer.template get_if<rescale<T>>())
        {
            const std::string scaled = name + "/scaled";
            node("Mul", {x, scalar("scale", s->scale())}, scaled);
            node("Add", {scaled, scalar("offset", s->offset())}, y);
        }
        else if (const auto* z = layer.template get_if<standardize<T>>())
        {
            const T eps = static_cast<T>(z->epsilon());
            const vector<T> inverse = T(1) / (z->std() + eps);  // as standardize::forward
            const std::string centred = name + "/centred";
            node("Sub", {x, constant("mean", z->mean())}, centred);
            node("Mul", {centred, constant("inverse_std", inverse)}, y);
        }
        else
        {
            throw error("xtnn::io::save_onnx: layer '" + name + "' (" + std::string(kind) +
                        ") has no ONNX form; save_onnx writes dense, the activations, dropout, "
                        "batch_norm, layer_norm, rescale and standardize");
        }
    }

private:
    /// 0.5·x·(1 + erf(x/√2)), or with tanh 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    void gelu_formula(bool tanh_form, const std::string& x, const std::string& y)
    {
        std::string inner;
        if (tanh_form)
        {
            const std::string x2 = node("Mul", {x, x}, m_name + "/x2").output(0);
            const std::string x3 = node("Mul", {x2, x}, m_name + "/x3").output(0);
            const std::string cx3 = node("Mul", {x3, scalar("c", 0.044715)}, m_name + "/cx3").output(0);
            const std::string sum = node("Add", {x, cx3}, m_name + "/sum").output(0);
            const std::string u =
                node("Mul", {sum, scalar("k", std::sqrt(2.0 / 3.14159265358979323846))},
                     m_name + "/u").output(0);
            inner = node("Tanh", {u}, m_name + "/tanh").output(0);
        }
        else
        {
            const std::string v = node("Div", {x, scalar("sqrt2", std::sqrt(2.0))}, m_name + "/div").output(0);
            inner = node("Erf", {v}, m_name + "/erf").output(0);
        }
        const std::string one = node("Add", {inner, scalar("one", 1.0)}, m_name + "/add").output(0);
        const std::string xs = node("Mul", {x, one}, m_name + "/mul").output(0);
        node("Mul", {xs, scalar("half", 0.5)}, y);
    }

    onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::string& output)
    {
        onnx::NodeProto& n = *m_graph.add_node();
        std::string name = m_name + "/" + op;
        for (int i = 1; used(name); ++i)
        {
            name = m_name + "/" + op + "_" + std::to_string(i);
        }
        n.set_name(name);
        n.set_op_type(op);
        for (const auto& input : inputs)
        {
            n.add_input(input);
        }
        n.add_output(output);
        return n;
    }
    bool used(const std::string& name) const
    {
        for (const auto& n : m_graph.node())
        {
            if (n.name() == name)
            {
                return true;
            }
        }
        return false;
    }

    template <class E>
    std::string constant(const std::string& what, const E& values, std::vector<std::int64_t> dims = {})
    {
        const std::string name = m_name + "/" + what;
        if (dims.empty())
        {
            dims = {static_cast<std::int64_t>(values.size())};
        }
        const std::vector<T> flat(values.begin(), values.end());
        m_graph.add_initializer()->CopyFrom(make_tensor<T>(name, dims, flat.data(), flat.size()));
        return name;
    }
    std::string scalar(const std::string& what, double value)
    {
        const std::string name = m_name + "/" + what;
        const T v = static_cast<T>(value);
        m_graph.add_initializer()->CopyFrom(make_tensor<T>(name, {}, &v, 1));
        return name;
    }
    static onnx::AttributeProto real(const char* name, double value)
    {
        onnx::AttributeProto a;
        a.set_name(name);
        a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
        a.set_f(static_cast<float>(value));
        return a;
    }
    static onnx::AttributeProto whole(const char* name, std::int64_t value)
    {
        onnx::AttributeProto a;
        a.set_name(name);
        a.set_type(onnx::AttributeProto_AttributeType_INT);
        a.set_i(value);
        return a;
    }

    onnx::GraphProto& m_graph;
    std::string m_name;
};

inline void set_matrix_type(onnx::ValueInfoProto& value, const std::string& name, int elem_type,
                            std::size_t width)
{
    value.set_name(name);
    auto* type = value.mutable_type()->mutable_tensor_type();
    type->set_elem_type(elem_type);
    type->mutable_shape()->add_dim()->set_dim_param("batch");
    type->mutable_shape()->add_dim()->set_dim_value(static_cast<std::int64_t>(width));
}
}  // namespace onnx_detail

/// `net` as a serialized ONNX ModelProto (opset 17, see above).
/// @throws xtnn::error for a network without layers or with a layer that has no ONNX form.
template <class T>
std::string format_onnx(const network<T>& net)
{
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "save_onnx writes float or double networks");
    if (net.empty())
    {
        throw error("xtnn::io::save_onnx: the network has no layers");
    }
    onnx::ModelProto model;
    model.set_ir_version(onnx_export_ir_version);
    model.set_producer_name("xtnn");
    model.set_producer_version(version_string);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(onnx_export_opset);
    onnx::GraphProto& graph = *model.mutable_graph();
    graph.set_name("xtnn");
    const int elem_type = std::is_same_v<T, float> ? onnx::TensorProto_DataType_FLOAT
                                                   : onnx::TensorProto_DataType_DOUBLE;
    onnx_detail::set_matrix_type(*graph.add_input(), "input", elem_type, net.inputs());
    onnx_detail::set_matrix_type(*graph.add_output(), "output", elem_type, net.outputs());
    onnx_detail::graph_writer<T> writer(graph);
    std::string x = "input";
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const std::string y = i + 1 == net.size() ? "output" : net.name(i) + "/output";
        writer.layer(net.layer(i), net.name(i), x, y);
        x = y;
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes))
    {
        throw error("xtnn::io::save_onnx: protobuf could not serialize the model (over 2 GiB?)");
    }
    return bytes;
}

/// Writes `net` to `path` as an ONNX model, atomically and durably (detail/file.hpp): a
/// reader sees the old file or the whole new one. @throws as format_onnx; io_error naming
/// the path when writing fails.
template <class T>
void save_onnx(const network<T>& net, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, format_onnx(net), "xtnn::io::save_onnx");
}
}  // namespace xtnn::io
