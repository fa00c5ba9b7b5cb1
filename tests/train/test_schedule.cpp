// SPDX-License-Identifier: MIT
// Learning-rate schedules, by hand: step decay, Keras's ExponentialDecay and CosineDecay, and
// ReduceLROnPlateau's patience, min_delta, cooldown and min_lr, then fit applying them.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>
#include <xtnn/train.hpp>

TEST_CASE("schedule: the closed forms give the rates worked out by hand")
{
    const xtnn::step_decay halve{0.5, 10};
    REQUIRE(halve(0.1, {0, 0}) == 0.1);
    REQUIRE(halve(0.1, {9, 999}) == 0.1);
    REQUIRE(halve(0.1, {10, 0}) == Approx(0.05).epsilon(1e-15));
    REQUIRE(halve(0.1, {25, 0}) == Approx(0.025).epsilon(1e-15));

    const xtnn::exponential_decay exponential{0.96, 100, false};
    REQUIRE(exponential(1.0, {0, 50}) == Approx(std::sqrt(0.96)).epsilon(1e-15));  // 0.96^0.5
    REQUIRE(exponential(1.0, {0, 200}) == Approx(0.9216).epsilon(1e-15));
    const xtnn::exponential_decay staircase{0.5, 100, true};
    REQUIRE(staircase(1.0, {0, 199}) == 0.5);

    // Keras's CosineDecay(1.0, decay_steps=100, alpha=0.1): half way, 0.55; at the end and
    // after, alpha.
    const xtnn::cosine_decay cosine{100, 0.1};
    REQUIRE(cosine(1.0, {0, 0}) == Approx(1.0).epsilon(1e-15));
    REQUIRE(cosine(1.0, {0, 50}) == Approx(0.55).epsilon(1e-15));
    REQUIRE(cosine(2.0, {0, 100}) == Approx(0.2).epsilon(1e-15));
    REQUIRE(cosine(2.0, {3, 1000}) == Approx(0.2).epsilon(1e-15));
}

namespace
{
xtnn::epoch_record with_val_loss(std::size_t epoch, double val_loss)
{
    xtnn::epoch_record record;
    record.epoch = epoch;
    record.val_loss = val_loss;
    return record;
}
}  // namespace

TEST_CASE("schedule: reduce_on_plateau follows Keras's ReduceLROnPlateau")
{
    // Keras's on_epoch_end (keras/src/callbacks/reduce_lr_on_plateau.py): a cooldown epoch
    // first counts down, then (no longer cooling) the epoch is judged as usual. patience 2,
    // factor 0.5, min_delta 0.01, cooldown 1, min_lr 0.02; val_loss per epoch:
    //   1.0 best | 0.995 not better by 0.01, wait 1 | 0.99 wait 2: 0.1 -> 0.05, cooldown 1 |
    //   0.98 cooldown ends; better than 1.0 - 0.01: best | 0.985 wait 1 | 0.99 wait 2: 0.025 |
    //   1.0 cooldown ends, wait 1 | 1.0 wait 2: max(0.0125, 0.02) = 0.02 | then min_lr holds.
    xtnn::reduce_on_plateau_options options;
    options.enabled = true;
    options.patience = 2;
    options.factor = 0.5;
    options.min_delta = 0.01;
    options.cooldown = 1;
    options.min_lr = 0.02;
    xtnn::reduce_on_plateau rule(options);
    const std::vector<double> losses{1.0, 0.995, 0.99, 0.98, 0.985, 0.99, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    const std::vector<double> expected{0.1,   0.1,  0.05, 0.05, 0.05, 0.025,
                                       0.025, 0.02, 0.02, 0.02, 0.02, 0.02};
    double lr = 0.1;
    for (std::size_t e = 0; e < losses.size(); ++e)
    {
        lr = rule.update(with_val_loss(e + 1, losses[e]), lr);
        INFO("epoch " << e + 1);
        REQUIRE(lr == Approx(expected[e]).epsilon(1e-15));
    }
    options.factor = 1.5;
    REQUIRE_THROWS_WITH(xtnn::reduce_on_plateau(options), Catch::Matchers::Contains("factor"));
}

TEST_CASE("schedule: fit sets each step's rate from the schedule, and ReduceLROnPlateau's base")
{
    const xtnn::matrix<float> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const xtnn::vector<float> y{0, 1, 1, 0};
    xtnn::network<float> net({2, 4, 2}, xtnn::tanh(), xtnn::softmax());
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    xtnn::fit_options<float> options;
    options.epochs = 3;
    options.batch_size = 2;  // 2 steps an epoch
    options.optimizer = {xtnn::optimizer_kind::sgd, 0.1};
    options.verbose = xtnn::verbosity::silent;
    options.schedule = xtnn::step_decay{0.5, 1};
    auto h = xtnn::fit(net, x, y, options);
    REQUIRE(h.learning_rates() == std::vector<double>{0.1, 0.05, 0.025});

    // The epoch-wise LearningRateScheduler callback: epoch e's rate is schedule(base, e - 1).
    options.schedule = nullptr;
    options.on_epoch_end(xtnn::learning_rate_scheduler<float>(xtnn::step_decay{0.1, 1}, 0.1));
    h = xtnn::fit(net, x, y, options);
    REQUIRE(h.learning_rates()[0] == 0.1);
    REQUIRE(h.learning_rates()[1] == Approx(0.01).epsilon(1e-15));
    REQUIRE(h.learning_rates()[2] == Approx(0.001).epsilon(1e-15));

    // ReduceLROnPlateau on the training loss with a huge min_delta: epoch 1 sets the best,
    // every later epoch is a plateau, so the rate falls after epochs 2 and 3.
    options.callbacks.clear();
    options.epochs = 4;
    options.reduce_on_plateau.enabled = true;
    options.reduce_on_plateau.monitor = xtnn::monitor::loss;
    options.reduce_on_plateau.min_delta = 100;
    options.reduce_on_plateau.patience = 1;
    h = xtnn::fit(net, x, y, options);
    REQUIRE(h.learning_rates()[0] == 0.1);
    REQUIRE(h.learning_rates()[1] == 0.1);
    REQUIRE(h.learning_rates()[2] == Approx(0.01).epsilon(1e-15));
    REQUIRE(h.learning_rates()[3] == Approx(0.001).epsilon(1e-15));
    options.reduce_on_plateau.monitor = xtnn::monitor::val_loss;
    REQUIRE_THROWS_WITH(xtnn::fit(net, x, y, options),
                        Catch::Matchers::Contains("reduce_on_plateau monitors val_loss"));
}
