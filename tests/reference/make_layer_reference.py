#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Generates tests/reference/layer_reference.hpp: reference values, computed with PyTorch, that
# the C++ unit tests compare xtnn's activations, BatchNorm1d and LayerNorm against (forward
# outputs and autograd gradients for fixed inputs, plus float32 outputs on large inputs).
# Deterministic: every input is a literal below. Computed in float64, printed with repr()
# (exact round trip, at most 17 significant digits). Run from the repository root with
# Debian's python3-torch:
#   /usr/bin/python3 tests/reference/make_layer_reference.py > tests/reference/layer_reference.hpp
import torch
import torch.nn.functional as F

f64 = torch.float64
X = [[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0], [-4.0, 2.5, -1.5], [0.75, -3.0, 6.0]]
G = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5], [0.1, -0.3, 0.7]]  # dL/dY
X2 = [[1.0, 2.0, -1.0], [3.0, -2.0, 0.5], [0.0, 0.5, 4.0]]
X_BIG = [[-1000.0, -88.5, 0.0, 88.5, 1000.0]]

out = []


def emit(name, values, what):
    """Appends `values` (a tensor, or a nested list read as float64) as a row-major
    constexpr std::array, one matrix row a line. repr() prints the shortest decimal that
    reads back as exactly the same double (at most 17 significant digits)."""
    t = values.detach() if torch.is_tensor(values) else torch.tensor(values, dtype=f64)
    flat = [float(v) for v in t.reshape(-1).tolist()]
    assert all(v == v and abs(v) != float("inf") for v in flat), name
    shape = ", ".join(str(d) for d in t.shape)
    out.append("// (%s) %s" % (shape, what))
    out.append("constexpr std::array<double, %d> %s = {" % (len(flat), name))
    width = t.shape[-1]
    for i in range(0, len(flat), width):
        out.append("    " + ", ".join(repr(v) for v in flat[i:i + width]) + ",")
    out.append("};")
    out.append("")


def x64():
    return torch.tensor(X, dtype=f64, requires_grad=True)


def g64():
    return torch.tensor(G, dtype=f64)


emit("x", X, "input X")
emit("grad_y", G, "upstream gradient dL/dY, same shape as X")

# 1. Activations: Y = f(X) and dX = (dY/dX)^T G through autograd.
activations = [
    ("identity", lambda t: t.clone(), "identity"),
    ("sigmoid", torch.sigmoid, "sigmoid"),
    ("tanh", torch.tanh, "tanh"),
    ("relu", F.relu, "relu (gradient 0 at 0)"),
    ("leaky_relu_0_1", lambda t: F.leaky_relu(t, negative_slope=0.1), "leaky_relu, slope 0.1"),
    ("elu_1", lambda t: F.elu(t, alpha=1.0), "elu, alpha 1.0"),
    ("elu_0_5", lambda t: F.elu(t, alpha=0.5), "elu, alpha 0.5"),
    ("gelu", lambda t: F.gelu(t, approximate="none"), "gelu (exact, erf)"),
    ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), "gelu (tanh approximation)"),
    ("silu", F.silu, "silu"),
    ("softplus", F.softplus, "softplus (beta 1, threshold 20)"),
    ("softmax", lambda t: torch.softmax(t, dim=1), "softmax over each row"),
]
for name, f, what in activations:
    x = x64()
    y = f(x)
    y.backward(g64())
    emit(name + "_y", y.detach(), what + ": Y = f(X)")
    emit(name + "_dx", x.grad, what + ": dX for upstream gradient grad_y")

# 2. BatchNorm1d: two training steps (running statistics), then eval mode.
bn = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=0.1).to(f64)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 2.0], dtype=f64))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3], dtype=f64))
bn.train()
x = x64()
y = bn(x)
y.backward(g64())
emit("bn_train_y", y.detach(), "BatchNorm1d training forward on x (gamma [1.5, -0.5, 2], beta [0.1, 0.2, -0.3])")
emit("bn_batch_mean", x.detach().mean(dim=0), "BatchNorm1d batch mean of x")
emit("bn_batch_var", x.detach().var(dim=0, unbiased=False), "BatchNorm1d batch variance of x (biased, used to normalise)")
emit("bn_running_mean_1", bn.running_mean, "BatchNorm1d running_mean after the step on x (from 0)")
emit("bn_running_var_1", bn.running_var, "BatchNorm1d running_var after the step on x (from 1, unbiased batch variance)")
emit("bn_train_dx", x.grad, "BatchNorm1d training backward: dX for grad_y")
emit("bn_dgamma", bn.weight.grad, "BatchNorm1d training backward: dL/dgamma")
emit("bn_dbeta", bn.bias.grad, "BatchNorm1d training backward: dL/dbeta")

emit("x2", X2, "second BatchNorm1d training batch X2")
with torch.no_grad():
    bn(torch.tensor(X2, dtype=f64))
emit("bn_running_mean_2", bn.running_mean, "BatchNorm1d running_mean after the steps on x then x2")
emit("bn_running_var_2", bn.running_var, "BatchNorm1d running_var after the steps on x then x2")

bn.eval()
x = x64()
y = bn(x)
y.backward(g64())
emit("bn_eval_y", y.detach(), "BatchNorm1d eval forward on x with bn_running_mean_2 / bn_running_var_2")
emit("bn_eval_dx", x.grad, "BatchNorm1d eval backward: dX = grad_y * gamma / sqrt(running_var + eps)")

# 3. LayerNorm over the last dimension.
ln = torch.nn.LayerNorm(3, eps=1e-5).to(f64)
with torch.no_grad():
    ln.weight.copy_(torch.tensor([0.5, 2.0, -1.0], dtype=f64))
    ln.bias.copy_(torch.tensor([0.0, -0.1, 0.3], dtype=f64))
x = x64()
y = ln(x)
y.backward(g64())
emit("ln_y", y.detach(), "LayerNorm forward on x (weight [0.5, 2, -1], bias [0, -0.1, 0.3])")
emit("ln_dx", x.grad, "LayerNorm backward: dX for grad_y")
emit("ln_dgamma", ln.weight.grad, "LayerNorm backward: dL/dweight")
emit("ln_dbeta", ln.bias.grad, "LayerNorm backward: dL/dbias")

# 4. Large inputs, in float32, for overflow / stability checks of the forward passes.
xb = torch.tensor(X_BIG, dtype=torch.float32)
emit("x_big", X_BIG, "large inputs for stability checks")
with torch.no_grad():
    emit("big_sigmoid", torch.sigmoid(xb), "float32 sigmoid of x_big")
    emit("big_softplus", F.softplus(xb), "float32 softplus of x_big")
    emit("big_silu", F.silu(xb), "float32 silu of x_big")
    emit("big_gelu", F.gelu(xb), "float32 gelu (exact) of x_big")
    emit("big_elu_1", F.elu(xb, alpha=1.0), "float32 elu (alpha 1.0) of x_big")
    emit("big_softmax", torch.softmax(xb, dim=1), "float32 softmax over the row of x_big")

print("// SPDX-License-Identifier: MIT")
print("// Generated by tests/reference/make_layer_reference.py with PyTorch %s." % torch.__version__)
print("// Do not edit by hand: change the script and regenerate with")
print("//   /usr/bin/python3 tests/reference/make_layer_reference.py > tests/reference/layer_reference.hpp")
print("// All arrays are row-major.")
print("#pragma once")
print()
print("#include <array>")
print()
print("namespace xtnn_reference {")
print()
print("\n".join(out).rstrip("\n"))
print()
print("}  // namespace xtnn_reference")
