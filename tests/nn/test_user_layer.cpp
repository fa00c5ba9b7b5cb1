// SPDX-License-Identifier: MIT
// A layer written outside include/xtnn against the contract (nn/layer.hpp) — a learned
// per-feature scale, Y = X ⊙ s — works in the runtime network without editing any xtnn
// header: forward, backward (the gradient check passes), trained by fit, named in layer
// lists and saved and loaded in model files through the registration hook.
#include <random>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/model.hpp>
#include <xtnn/nn.hpp>
#include <xtnn/train.hpp>

#include "approx.hpp"
#include "temp_files.hpp"

namespace user
{
/// Y[r, j] = X[r, j] · s_j, s learned (starts at `initial`).
template <class T = float>
class feature_scale
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "feature_scale";

    explicit feature_scale(double initial = 1.0)
      : m_initial(initial)
    {
    }
    static feature_scale from_config(const xtnn::layer_config& config)
    {
        return feature_scale(config.number("initial", 1.0));
    }
    xtnn::layer_config config() const { return {{"initial", m_initial}}; }

    std::size_t input_width() const { return m_scale.size(); }
    std::size_t build(std::size_t in)
    {
        if (m_scale.size() == 0)
        {
            m_scale = xt::ones<T>({in}) * static_cast<T>(m_initial);
        }
        return in;
    }
    std::size_t parameter_count() const { return 1; }
    xtnn::parameter_ref<T> parameter(std::size_t)
    {
        return xtnn::make_parameter_ref("scale", m_scale, m_options);
    }
    const xtnn::vector<T>& scale() const { return m_scale; }

    void forward(xtnn::rows_ref<const T> x, xtnn::rows_ref<T> y) const
    {
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                y.row(r)[c] = x.row(r)[c] * m_scale(c);
            }
        }
    }
    /// dX = G ⊙ s, ds_j = Σ_r G[r, j] X[r, j].
    void backward(xtnn::rows_ref<const T> x, xtnn::rows_ref<const T>, const T*,
                  xtnn::rows_ref<const T> grad_y, xtnn::rows_ref<T> grad_x, T* const* grads) const
    {
        T* ds = grads[0];
        std::fill(ds, ds + x.cols, T(0));
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                ds[c] += grad_y.row(r)[c] * x.row(r)[c];
                if (grad_x.data)
                {
                    grad_x.row(r)[c] = grad_y.row(r)[c] * m_scale(c);
                }
            }
        }
    }

private:
    double m_initial;
    xtnn::vector<T> m_scale;
    xtnn::parameter_options m_options{true, 0.0, 1.0, xtnn::init_as::ones};
};
}  // namespace user

static_assert(xtnn::is_layer_v<user::feature_scale<float>>);
static_assert(!xtnn::is_layer_v<int>);

TEST_CASE("user layer: it runs forward in a network like a built-in one")
{
    xtnn::network<double> net(3, {user::feature_scale<double>(2.0), xtnn::dense<double>(
                                      xtnn::matrix<double>{{1, 0}, {0, 1}, {1, 1}},
                                      xtnn::vector<double>{0, 0})});
    REQUIRE(net.name(0) == "feature_scale_1");
    REQUIRE((net.layer<user::feature_scale<double>>(0).scale() == xtnn::vector<double>{2, 2, 2}));
    // X = [[1, 2, 3]]: X·2 = [2, 4, 6]; times W: [2 + 6, 4 + 6]
    xtnn_test::require_all_close(net.predict(xtnn::matrix<double>{{1, 2, 3}}),
                                 std::vector<double>{8, 10}, 1e-15);
}

TEST_CASE("user layer: its backward passes the gradient check inside a network")
{
    xtnn::network<double> net(4, {xtnn::dense(5), user::feature_scale<double>(0.5), xtnn::tanh(),
                                  xtnn::dense(3), xtnn::softmax()});
    std::mt19937_64 engine(3);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    // Move the scales away from their init, so a wrong ds would show.
    net.layer<user::feature_scale<double>>(1).parameter(0).data[2] = 1.7;
    const std::vector<double> x{0.5, -1.0, 1.5, 0.3, -0.2, 0.8, 1.1, -0.6};
    const std::vector<std::size_t> labels{2, 0};
    const auto result = xtnn::gradient_check<double, xtnn::softmax_cross_entropy>(
        net, x.data(), 2, {nullptr, labels.data()}, xtnn::mode::training, 1,
        xtnn::default_gradient_step<double>(), 1e-2);
    INFO("worst " << result.worst_parameter << ": " << result.analytic << " vs "
                  << result.numerical);
    REQUIRE(result.max_relative_error < 1e-5);
    REQUIRE(result.parameters.at(2).name == "feature_scale_1/scale");
}

TEST_CASE("user layer: fit trains it, and the registration hook names it in layer lists")
{
    xtnn::register_layer<user::feature_scale<float>>({"initial"});
    auto net = xtnn::parse_network<float>("feature_scale:0.1,dense:8,tanh,dense:2,softmax", 2);
    REQUIRE((net.layer<user::feature_scale<float>>(0).scale() == xtnn::vector<float>{0.1f, 0.1f}));
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);  // the scale is init_as::ones
    net.layer<user::feature_scale<float>>(0).parameter(0).data[0] = 0.1f;
    net.layer<user::feature_scale<float>>(0).parameter(0).data[1] = 0.1f;

    const xtnn::matrix<float> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const xtnn::vector<float> y{0, 1, 1, 0};
    xtnn::fit_options<float> options;
    options.epochs = 400;
    options.batch_size = 4;
    options.optimizer = {xtnn::optimizer_kind::adam, 0.05};
    options.verbose = xtnn::verbosity::silent;
    xtnn::fit(net, x, y, options);
    REQUIRE(xtnn::evaluate(net, x, y).accuracy == 1.0);
    // fit trained the scale with the rest.
    const auto& scale = net.layer<user::feature_scale<float>>(0).scale();
    REQUIRE(scale(0) != 0.1f);
    REQUIRE(scale(1) != 0.1f);
    REQUIRE(xtnn::layer_registry<float>::global().has("feature_scale"));
}

TEST_CASE("user layer: a model file holding it loads back once it is registered")
{
    xtnn::network<double> net(3, {xtnn::dense(4), user::feature_scale<double>(0.5), xtnn::tanh(),
                                  xtnn::dense(2), xtnn::softmax()});
    std::mt19937_64 engine(8);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    net.layer<user::feature_scale<double>>(1).parameter(0).data[3] = 2.5;
    const std::string path = xtnn_test::temp_path("user_layer.npz");
    xtnn::io::save_model(net, path);
    xtnn::register_layer<user::feature_scale<double>>({"initial"});
    const auto loaded = xtnn::io::load_model<double>(path);
    REQUIRE(loaded.net.layer<user::feature_scale<double>>(1).scale()(3) == 2.5);
    const xtnn::matrix<double> x{{0.5, -1.0, 2.0}};
    xtnn_test::require_equal(loaded.net.predict(x), net.predict(x));
}
