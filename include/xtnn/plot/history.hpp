// SPDX-License-Identifier: MIT
// The figure of a training run: loss and accuracy per epoch, training and validation.
#pragma once

#include <string>
#include <vector>

#include <xtnn/plot/figure.hpp>
#include <xtnn/train/history.hpp>

namespace xtnn::plot
{
/// A training run's curves: loss (left) and accuracy (right) per epoch, the training
/// values solid and the validation values dashed (when the run had them).
inline figure history_figure(const history& h, const std::string& title_prefix = "")
{
    const auto make = [&](const char* what, std::vector<double> train, std::vector<double> val)
    {
        panel p;
        p.title = title_prefix + (title_prefix.empty() ? "" : ": ") + what;
        p.x_label = "epoch";
        p.y_label = what;
        p.integer_x = true;
        const style points = h.size() <= 30 ? style::line_and_markers : style::line;
        series s = by_index("training", train);
        s.style = points;
        p.series.push_back(s);
        if (h.has_validation())
        {
            series v = by_index("validation", val);
            v.style = points;
            v.line_style = line_style::dashed;
            p.series.push_back(v);
        }
        return p;
    };
    figure fig;
    fig.panels.push_back(make("loss", h.loss(), h.val_loss()));
    fig.panels.push_back(make("accuracy", h.accuracy(), h.val_accuracy()));
    return fig;
}
}  // namespace xtnn::plot
