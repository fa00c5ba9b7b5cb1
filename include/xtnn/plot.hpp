// SPDX-License-Identifier: MIT
// Plots (xtnn/plot/): figures of panels with line, scatter and bar series on linear or log
// axes, histograms and contour lines, drawn once (draw) and written as SVG or PNG (plot::save
// picks by extension), and the figure of a training run (history_figure).
// Target xtnn::plot.
#pragma once

#include <xtnn/plot/contour.hpp>
#include <xtnn/plot/draw.hpp>
#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/histogram.hpp>
#include <xtnn/plot/history.hpp>
#include <xtnn/plot/png.hpp>
#include <xtnn/plot/save.hpp>
#include <xtnn/plot/scene.hpp>
#include <xtnn/plot/svg.hpp>
#include <xtnn/plot/text.hpp>
