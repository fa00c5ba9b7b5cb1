// SPDX-License-Identifier: MIT
// The optimizer comparison of "Deep Learning from Scratch" chapter 6
// (ch06/optimizer_compare_naive.py) in C++: SGD, Momentum, AdaGrad and Adam minimising
// f(x, y) = x²/20 + y² from (-7, 2), each with the book's learning rate, through xtnn's own
// update rules; prints where each ends and draws the book's Figure 6-8, a 2x2 grid of contour
// lines of f with each optimizer's path.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <xtnn/plot.hpp>
#include <xtnn/train/update_rules.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 6 optimizer comparison: SGD (lr 0.95), Momentum (lr 0.1, momentum\n"
    "0.9), AdaGrad (lr 1.5) and Adam (lr 0.3, beta1 0.9, beta2 0.999) minimise\n"
    "f(x, y) = x^2/20 + y^2 from (-7, 2), whose gradient (x/10, 2y) is 20 times steeper in\n"
    "y than in x. Each step is xtnn's update rule (xtnn/train/update_rules.hpp, the rules\n"
    "fit and the optimizer run) on the two parameters, in double. Prints each optimizer's\n"
    "position and f after the steps; needs no data.\n";

/// f(x, y) = x²/20 + y², the book's bowl: long in x, narrow in y.
double f(double x, double y)
{
    return x * x / 20.0 + y * y;
}

/// One optimizer's run: the positions from the start through each update.
struct path
{
    std::string name;
    std::vector<double> x, y;
};

/// Runs `rule` (an xtnn::update rule) for `steps` updates of p = (x, y) from (-7, 2) with
/// the gradient ∂f/∂x = x/10, ∂f/∂y = 2y; the rule's state arrays start at zero.
template <class Rule>
path run(const std::string& name, const Rule& rule, double learning_rate, std::size_t steps)
{
    double p[2] = {-7.0, 2.0}, g[2] = {0, 0};
    double state[2][2] = {{0, 0}, {0, 0}};
    path out{name, {p[0]}, {p[1]}};
    for (std::size_t t = 1; t <= steps; ++t)
    {
        g[0] = p[0] / 10.0;
        g[1] = 2.0 * p[1];
        rule(xtnn::update::step<double>{p, g, {state[0], state[1]}, 2, learning_rate, 0.0, t});
        out.x.push_back(p[0]);
        out.y.push_back(p[1]);
    }
    return out;
}

/// The book's figure: per optimizer, contour lines of f over [-10, 10]² (its levels as
/// matplotlib's defaults for the book's masked grid: f below 7 in steps of 1, and 0.5 for
/// the innermost), a colour per level, the path as red dots joined by lines, a + at the
/// minimum.
xtnn::plot::figure paths_figure(const std::vector<path>& paths)
{
    std::vector<double> xs, ys, z;
    for (int i = 0; i <= 200; ++i)
    {
        xs.push_back(-10 + 0.1 * i);
        ys.push_back(-10 + 0.1 * i);
    }
    for (const double y : ys)
    {
        for (const double x : xs)
        {
            z.push_back(f(x, y));
        }
    }
    const auto contours = xtnn::plot::contour_lines(xs, ys, z, {0.5, 1, 2, 3, 4, 5, 6, 7});

    xtnn::plot::figure figure;
    figure.columns = 2;
    figure.panel_width = 420;
    figure.panel_height = 360;
    for (const auto& p : paths)
    {
        xtnn::plot::panel panel;
        panel.title = p.name;
        panel.x_label = "x";
        panel.y_label = "y";
        panel.x_min = panel.y_min = -10;
        panel.x_max = panel.y_max = 10;
        panel.legend = false;
        panel.series = contours;
        xtnn::plot::series walk;
        walk.x = p.x;
        walk.y = p.y;
        walk.color = "red";
        walk.line_width = 1.5;
        walk.style = xtnn::plot::style::line_and_markers;
        walk.marker_radius = 3;
        panel.series.push_back(walk);
        xtnn::plot::series minimum;
        minimum.x = {0};
        minimum.y = {0};
        minimum.style = xtnn::plot::style::markers;
        minimum.marker = xtnn::plot::marker::plus;
        minimum.marker_radius = 6;
        minimum.color = "#1f77b4";
        panel.series.push_back(minimum);
        figure.panels.push_back(panel);
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("optimizer_paths", description);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw the book's Figure 6-8: contour lines of f and each path, a panel per "
             "optimizer, .svg or .png");
    std::size_t steps = 30;
    cli.number("--steps", steps, "N", "updates per optimizer (default {}, as the book)", 1);

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }

            // The book's optimizers and learning rates (optimizer_compare_naive.py); the
            // rules' other settings are the book's defaults (ε 1e-7 in AdaGrad and Adam).
            std::vector<path> paths;
            paths.push_back(run("SGD", xtnn::update::sgd{}, 0.95, steps));
            paths.push_back(run("Momentum", xtnn::update::momentum{0.9}, 0.1, steps));
            paths.push_back(run("AdaGrad", xtnn::update::adagrad{1e-7}, 1.5, steps));
            paths.push_back(run("Adam", xtnn::update::adam{0.9, 0.999, 1e-7}, 0.3, steps));

            std::printf("f(x, y) = x^2/20 + y^2 from (-7, 2), f = %.4f: %zu updates each\n",
                        f(-7, 2), steps);
            std::string result = "result: f after " + std::to_string(steps) + " steps:";
            for (const auto& p : paths)
            {
                const double x = p.x.back(), y = p.y.back();
                // how often y changed sign: SGD's zigzag across the narrow valley
                std::size_t flips = 0;
                for (std::size_t i = 1; i < p.y.size(); ++i)
                {
                    flips += (p.y[i] < 0) != (p.y[i - 1] < 0);
                }
                std::printf("%-9s (x, y) = (%9.5f, %9.5f)  f = %.6f  y changed sign %zu times\n",
                            (p.name + ":").c_str(), x, y, f(x, y), flips);
                char item[64];
                std::snprintf(item, sizeof item, " %s %.4g%s", p.name.c_str(), f(x, y),
                              &p == &paths.back() ? "" : ",");
                result += item;
            }
            if (!plot_path.empty())
            {
                xtnn::plot::save(paths_figure(paths), plot_path);
                std::printf("saved the paths to \"%s\"\n", plot_path.c_str());
            }
            std::printf("%s\n", result.c_str());
            return 0;
        });
}
