// SPDX-License-Identifier: MIT
// The runtime face of a network: any sequence of layers, built like Keras's Sequential,
//   xtnn::network<float> net{xtnn::dense(784, 256), xtnn::batch_norm(), xtnn::relu(),
//                            xtnn::dropout(0.2), xtnn::dense(256, 10), xtnn::softmax()};
// Widths are checked when the network is built. Each layer's output stays in the workspace
// after a pass. predict() is const and writes only the workspace it is given: threads may
// share one network, each with its own workspace.
#pragma once

#include <cstddef>
#include <cstdio>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/nn/workspace.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// A feedforward network over value type T (float or double): layers applied in order.
/// Networks are values: copy one to get an independent network.
template <class T = float>
class network
{
public:
    using value_type = T;

    network() = default;

    /// The layers in order, e.g. network<float>{dense(784, 256), relu(), dense(10), softmax()}.
    /// The input width comes from the first layer that fixes one (dense(784, 256) does,
    /// dense(256) and activations do not), and every later layer is built from the width
    /// before it. @throws shape_error when no layer fixes the input width, or widths do not
    /// chain (naming both layers and both widths).
    template <class... Layers,
              std::enable_if_t<(sizeof...(Layers) > 0) &&
                                   ((detail::names_a_kind<Layers> ||
                                     std::is_same_v<std::decay_t<Layers>, any_layer<T>>)&&...),
                               int> = 0>
    network(Layers... layers)  // NOLINT: implicit, like a Keras Sequential list
      : network(std::vector<any_layer<T>>{any_layer<T>(std::move(layers))...})
    {
    }

    /// As above, from a list of layers.
    explicit network(std::vector<any_layer<T>> layers)
      : network(infer_inputs(layers))
    {
        for (auto& layer : layers)
        {
            add(std::move(layer));
        }
    }

    /// `inputs` columns through `layers` (each built from the width before it).
    network(std::size_t inputs, std::vector<any_layer<T>> layers)
      : network(inputs)
    {
        for (auto& layer : layers)
        {
            add(std::move(layer));
        }
    }

    /// A network of `inputs` columns and no layers yet: add() them.
    explicit network(std::size_t inputs)
      : m_widths{inputs}
    {
        if (inputs == 0)
        {
            throw shape_error("xtnn::network: a network needs at least one input; got 0");
        }
    }

    /// The convenience of widths {in, h1, ..., out}: a dense layer for each step, followed by
    /// `hidden` after every one but the last and by `output` after the last, e.g.
    /// network<float>({784, 50, 100, 10}, xtnn::sigmoid(), xtnn::softmax()). Parameters start
    /// at zero (initialise or load them). @throws shape_error for fewer than two widths or a 0.
    network(const std::vector<std::size_t>& widths, const any_layer<T>& hidden,
            const any_layer<T>& output)
    {
        if (widths.size() < 2)
        {
            throw shape_error("xtnn::network: widths " + shape_string(widths) +
                              " name no layer; expected at least {inputs, outputs}");
        }
        *this = network(widths.front());
        for (std::size_t i = 1; i < widths.size(); ++i)
        {
            add(xtnn::dense<T>(widths[i]));
            add(i + 1 == widths.size() ? output : hidden);
        }
    }

    /// Appends `layer`, built for the current output width, named `name` (default: its kind
    /// and a number, "dense_2"). @throws shape_error when it does not take that width, naming
    /// both layers and both widths; xtnn::error when the name is taken.
    network& add(any_layer<T> layer, std::string name = "")
    {
        if (m_widths.empty())
        {
            throw shape_error("xtnn::network::add: the network has no input width; make it "
                              "with network<T>(inputs) first");
        }
        if (name.empty())
        {
            name = next_name(layer.kind());
        }
        if (find(name) != size())
        {
            throw error("xtnn::network: a layer is already named '" + name + "'");
        }
        const std::size_t in = outputs();
        const std::size_t built_for = layer.input_width();
        if (built_for != 0 && built_for != in)
        {
            throw shape_error("xtnn::network: layer " + std::to_string(size() + 1) + " (" + name +
                              ") takes " + std::to_string(built_for) + " inputs but " +
                              previous_layer() + " outputs " + std::to_string(in));
        }
        std::size_t out = 0;
        try
        {
            out = layer.build(in);
        }
        catch (const shape_error& e)
        {
            throw shape_error("xtnn::network: layer " + std::to_string(size() + 1) + " (" + name +
                              ") after " + previous_layer() + " of " + std::to_string(in) +
                              " outputs: " + e.what());
        }
        m_layers.push_back(std::move(layer));
        m_names.push_back(std::move(name));
        m_widths.push_back(out);
        m_cache_sizes.push_back(0);
        return *this;
    }

    /// The number of layers.
    std::size_t size() const { return m_layers.size(); }
    bool empty() const { return m_layers.empty(); }
    std::size_t inputs() const { return m_widths.empty() ? 0 : m_widths.front(); }
    std::size_t outputs() const { return m_widths.empty() ? 0 : m_widths.back(); }
    /// Layer i's output width.
    std::size_t width(std::size_t i) const { return m_widths.at(i + 1); }
    /// {inputs, width of layer 1, ..., outputs}.
    const std::vector<std::size_t>& widths() const { return m_widths; }

    /// Layer i (0-based), to read. @throws std::out_of_range.
    const any_layer<T>& layer(std::size_t i) const { return m_layers.at(i); }
    /// Layer i as its concrete type, e.g. net.layer<xtnn::dense<float>>(0).kernel().
    /// @throws std::out_of_range, or xtnn::error naming the kind it is.
    template <class L>
    L& layer(std::size_t i)
    {
        return m_layers.at(i).template get<L>();
    }
    template <class L>
    const L& layer(std::size_t i) const
    {
        return m_layers.at(i).template get<L>();
    }
    /// Layer i's name ("dense_1"); prefixes its arrays in files ("dense_1/kernel").
    const std::string& name(std::size_t i) const { return m_names.at(i); }
    /// The index of the layer named `name`, or size() when there is none.
    std::size_t find(const std::string& name) const
    {
        for (std::size_t i = 0; i < m_names.size(); ++i)
        {
            if (m_names[i] == name)
            {
                return i;
            }
        }
        return size();
    }

    /// Trainable values in all layers.
    std::size_t parameter_count() const
    {
        std::size_t total = 0;
        for (const auto& layer : m_layers)
        {
            for (std::size_t p = 0; p < layer.parameter_count(); ++p)
            {
                total += layer.parameter(p).size();
            }
        }
        return total;
    }

    /// One line per layer, as Keras's model.summary(): name, kind, output width, parameters.
    std::string summary() const
    {
        std::string text = "layer              kind          output   parameters\n";
        char line[160];
        for (std::size_t i = 0; i < size(); ++i)
        {
            std::size_t count = 0;
            for (std::size_t p = 0; p < m_layers[i].parameter_count(); ++p)
            {
                count += m_layers[i].parameter(p).size();
            }
            std::snprintf(line, sizeof line, "%-18s %-13s %6zu   %zu\n", m_names[i].c_str(),
                          std::string(m_layers[i].kind()).c_str(), width(i), count);
            text += line;
        }
        std::snprintf(line, sizeof line, "inputs %zu, outputs %zu, %zu trainable parameters\n",
                      inputs(), outputs(), parameter_count());
        return text + line;
    }

    /// The widths where they change and the layer kinds, "784-256-10 (dense, relu, dense,
    /// softmax)".
    std::string describe() const
    {
        std::string text;
        for (std::size_t i = 0; i < m_widths.size(); ++i)
        {
            if (i == 0 || m_widths[i] != m_widths[i - 1])
            {
                text += i ? "-" : "";  // not "-" + to_string(): GCC 12's -Wrestrict (tensor.hpp)
                text += std::to_string(m_widths[i]);
            }
        }
        text += " (";
        for (std::size_t i = 0; i < size(); ++i)
        {
            text += (i ? ", " : "") + std::string(m_layers[i].kind());
        }
        return text + ")";
    }

    /// Runs rows [first, first + count) of x (rows, inputs()) in inference mode into `ws`,
    /// allocating nothing once `ws` has room. Returns the output (count, outputs()).
    /// @throws shape_error when x is not a row-major 2-D array of inputs() columns, or the
    /// rows are out of range.
    template <class E>
    matrix_view<T> forward_rows(const E& x, std::size_t first, std::size_t count,
                                workspace<T>& ws) const
    {
        check_input(x, "forward_rows");
        if (first > x.shape()[0] || count > x.shape()[0] - first)
        {
            throw shape_error("xtnn::network::forward_rows: rows [" + std::to_string(first) + ", " +
                              std::to_string(first + count) + ") are outside x " +
                              shape_string(x.shape()));
        }
        return forward(x.data() + first * inputs(), count, ws);
    }

    /// The output (batch, outputs()) for x (batch, inputs()), computed in `ws` (inference).
    template <class E>
    matrix_view<T> predict(const E& x, workspace<T>& ws) const
    {
        check_input(x, "predict");
        return forward(x.data(), x.shape()[0], ws);
    }

    /// The output for x (batch, inputs()) as a new matrix. Convenient; allocates.
    template <class E>
    matrix<T> predict(const E& x) const
    {
        workspace<T> ws;
        return matrix<T>(predict(x, ws));
    }

    /// Inference on `rows` row-major rows of inputs() values starting at x, into `ws`.
    matrix_view<T> forward(const T* x, std::size_t rows, workspace<T>& ws) const
    {
        check_layers("forward");
        ws.prepare(rows, m_widths.data(), size(), nullptr);
        rows_ref<const T> in{x, rows, inputs()};
        for (std::size_t i = 0; i < size(); ++i)
        {
            const rows_ref<T> out{ws.output_data(i), rows, m_widths[i + 1]};
            m_layers[i].forward(in, out);
            in = out;
        }
        return ws.output();
    }

    /// The same pass in training mode (batch statistics, dropout masks from `engine`,
    /// running statistics updated), keeping each layer's cache in `ws` for a backward pass.
    matrix_view<T> forward_train(const T* x, std::size_t rows, workspace<T>& ws,
                                 std::mt19937_64& engine)
    {
        check_layers("forward_train");
        for (std::size_t i = 0; i < size(); ++i)
        {
            m_cache_sizes[i] = m_layers[i].cache_size(rows, m_widths[i]);
        }
        ws.prepare(rows, m_widths.data(), size(), m_cache_sizes.data());
        training_context context{engine};
        rows_ref<const T> in{x, rows, inputs()};
        for (std::size_t i = 0; i < size(); ++i)
        {
            const rows_ref<T> out{ws.output_data(i), rows, m_widths[i + 1]};
            m_layers[i].forward_train(in, out, ws.cache_data(i), context);
            in = out;
        }
        return ws.output();
    }

    /// Layer i, to change in place (the training pass, loaders). Prefer layer<L>(i); do not
    /// replace the layer with one of other widths (its next forward pass would refuse it).
    any_layer<T>& mutable_layer(std::size_t i) { return m_layers.at(i); }

private:
    static std::size_t infer_inputs(const std::vector<any_layer<T>>& layers)
    {
        for (std::size_t k = 0; k < layers.size(); ++k)
        {
            const std::size_t width = layers[k].input_width();
            if (width == 0)
            {
                continue;
            }
            // The layers before it must take any width and pass it through unchanged.
            bool passes_through = true;
            for (std::size_t j = 0; j < k; ++j)
            {
                passes_through = passes_through && layers[j].output_width(width) == width;
            }
            if (passes_through)
            {
                return width;
            }
            break;
        }
        throw shape_error("xtnn::network: no layer fixes the input width (dense(784, 256) does; "
                          "dense(256) and activations do not); give it first, as in "
                          "network<T>(784, {...})");
    }

    std::string previous_layer() const
    {
        return size() == 0 ? std::string("the input")
                           : "layer " + std::to_string(size()) + " (" + m_names.back() + ")";
    }

    std::string next_name(std::string_view kind) const
    {
        std::size_t same = 0;
        for (const auto& layer : m_layers)
        {
            same += layer.kind() == kind;
        }
        std::string name = std::string(kind) + "_" + std::to_string(same + 1);
        while (find(name) != size())
        {
            name += "_";
        }
        return name;
    }

    void check_layers(const char* where) const
    {
        if (m_layers.empty())
        {
            throw shape_error(std::string("xtnn::network::") + where +
                              ": the network has no layers");
        }
    }

    template <class E>
    void check_input(const E& x, const char* where) const
    {
        check_layers(where);
        if (x.dimension() != 2 || x.shape()[1] != inputs())
        {
            throw shape_error(std::string("xtnn::network::") + where + ": input has shape " +
                              shape_string(x.shape()) + "; expected (batch, " +
                              std::to_string(inputs()) + ")");
        }
        if (x.layout() != xt::layout_type::row_major)
        {
            throw shape_error(std::string("xtnn::network::") + where +
                              ": input must be a row-major container");
        }
    }

    std::vector<any_layer<T>> m_layers;
    std::vector<std::string> m_names;
    std::vector<std::size_t> m_widths;       // inputs, then each layer's output width
    std::vector<std::size_t> m_cache_sizes;  // scratch of forward_train, one per layer
};
}  // namespace xtnn
