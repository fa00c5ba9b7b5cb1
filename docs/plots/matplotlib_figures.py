#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Draws with matplotlib the figures that xtnn's examples draw, for the side-by-side pages in
docs/plots.md: the book's Figure 6-8 (optimizer paths, the book's own update rules and learning
rates, so the very same paths) and Figures 6-10 to 6-14 (activation histograms, from numpy's
own random draws, so the same shapes but not the same counts).

    /usr/bin/python3 docs/plots/matplotlib_figures.py    (Debian: python3-matplotlib)

writes docs/plots/matplotlib_optimizer_paths.png and matplotlib_weight_init_histograms.png.
"""
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def f(x, y):
    return x ** 2 / 20.0 + y ** 2


def optimizer_paths():
    """optimizer_compare_naive.py's four optimizers, 30 updates each from (-7, 2)."""
    def sgd(lr):
        def step(p, g, s, t):
            return p - lr * g
        return step

    def momentum(lr, mu=0.9):
        def step(p, g, s, t):
            s["v"] = mu * s.get("v", 0) - lr * g
            return p + s["v"]
        return step

    def adagrad(lr):
        def step(p, g, s, t):
            s["h"] = s.get("h", 0) + g * g
            return p - lr * g / (np.sqrt(s["h"]) + 1e-7)
        return step

    def adam(lr, b1=0.9, b2=0.999):
        def step(p, g, s, t):
            lr_t = lr * np.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
            s["m"] = s.get("m", 0) + (1 - b1) * (g - s.get("m", 0))
            s["v"] = s.get("v", 0) + (1 - b2) * (g ** 2 - s.get("v", 0))
            return p - lr_t * s["m"] / (np.sqrt(s["v"]) + 1e-7)
        return step

    rules = [("SGD", sgd(0.95)), ("Momentum", momentum(0.1)), ("AdaGrad", adagrad(1.5)),
             ("Adam", adam(0.3))]
    x = np.arange(-10, 10, 0.1)
    X, Y = np.meshgrid(x, x)
    fig = plt.figure(figsize=(8.4, 7.2), dpi=100)
    for i, (name, rule) in enumerate(rules):
        p = np.array([-7.0, 2.0])
        state = {}
        path = [p.copy()]
        for t in range(1, 31):
            p = rule(p, np.array([p[0] / 10.0, 2.0 * p[1]]), state, t)
            path.append(p.copy())
        path = np.array(path)
        ax = fig.add_subplot(2, 2, i + 1)
        ax.contour(X, Y, f(X, Y), levels=[0.5, 1, 2, 3, 4, 5, 6, 7])
        ax.plot(path[:, 0], path[:, 1], "o-", color="red", markersize=4)
        ax.plot(0, 0, "+", markersize=12)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-10, 10)
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    fig.tight_layout()
    fig.savefig(HERE / "matplotlib_optimizer_paths.png")


def weight_init_histograms():
    """weight_init_activation_histogram.py for each of the book's cases, a row each."""
    cases = [("sigmoid, std 1", "sigmoid", 1.0), ("sigmoid, std 0.01", "sigmoid", 0.01),
             ("sigmoid, Xavier", "sigmoid", 0.1), ("tanh, Xavier", "tanh", 0.1),
             ("ReLU, std 0.01", "relu", 0.01), ("ReLU, Xavier", "relu", 0.1),
             ("ReLU, He", "relu", np.sqrt(0.02))]
    act = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh,
           "relu": lambda a: np.maximum(0, a)}
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((1000, 100))
    fig = plt.figure(figsize=(11.5, 11.9), dpi=100)
    for k, (title, kind, std) in enumerate(cases):
        x = x0
        for layer in range(5):
            x = act[kind](x @ (rng.standard_normal((100, 100)) * std))
            ax = fig.add_subplot(len(cases), 5, 5 * k + layer + 1)
            ax.set_title(f"{title + ': ' if layer == 0 else ''}{layer + 1}-layer", fontsize=10)
            ax.hist(x.flatten(), 30, range=(-1, 1) if kind == "tanh" else (0, 1),
                    color=f"C{k}")
            ax.set_ylim(0, 7000)
            ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(HERE / "matplotlib_weight_init_histograms.png")


if __name__ == "__main__":
    optimizer_paths()
    weight_init_histograms()
