// SPDX-License-Identifier: MIT
// Plots (xtnn/plot/): figures of panels with line and scatter series, drawn as SVG or PNG
// (plot::save picks by extension), and the figure of a training run (history_figure).
// Target xtnn::plot.
#pragma once

#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/history.hpp>
#include <xtnn/plot/png.hpp>
#include <xtnn/plot/save.hpp>
#include <xtnn/plot/svg.hpp>
