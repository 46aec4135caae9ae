"""Gradient checks for every op, layer, activation, loss and regularizer of chainrule.

`numerical_gradient`, `rel_error` and `gradcheck` (from `chainrule.autograd`) are the tools;
`CHECKS` is the catalogue that ``chainrule gradcheck`` runs and the test suite runs on shapes
drawn by hypothesis. Every case builds float64 inputs from a Generator and a size dict
``dims = {"n": batch, "d": features, "c": classes}``; inputs of functions with kinks (ReLU,
|x|, max, the hinge) are kept at least 0.01 away from them, where finite differences would
straddle the kink.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autograd import Tensor
from .autograd.gradcheck import (
    GradcheckError,
    GradcheckReport,
    gradcheck,
    numerical_gradient,
    rel_error,
)
from .nn import functional as F
from .nn.activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from .nn.linear import Flatten, Linear, Maxout
from .nn.module import Sequential
from .nn.regularizers import L1, L2, ElasticNet

__all__ = [
    "CHECKS",
    "GradcheckError",
    "GradcheckReport",
    "gradcheck",
    "numerical_gradient",
    "rel_error",
    "run_checks",
]

DEFAULT_DIMS = {"n": 4, "d": 5, "c": 3}
KINK_GAP = 0.01


def _param(array):
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def _away_from_zero(rng, shape):
    """Normal values pushed at least KINK_GAP away from 0."""
    u = rng.standard_normal(shape)
    return np.sign(u) * (KINK_GAP + np.abs(u))


def _distinct(rng, shape):
    """Values whose pairwise gaps are >= 0.05, so a max has a unique winner by a clear margin."""
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.05 + rng.uniform(0, 0.01, size)).reshape(shape) - size * 0.025


def _hinge_scores(rng, n, c, margin=1.0):
    """Scores and labels whose SVM margins s_j - s_y + margin all stay away from 0."""
    while True:
        scores = rng.standard_normal((n, c)) * 2.0
        labels = rng.integers(0, c, n)
        margins = scores - scores[np.arange(n), labels][:, None] + margin
        margins[np.arange(n), labels] = 1.0
        if np.min(np.abs(margins)) > KINK_GAP:
            return scores, labels


@dataclass(frozen=True)
class Check:
    """One gradient-check case: ``build(rng, dims) -> (fn, inputs, names, shapes_text)``."""

    name: str
    kind: str
    build: object

    def run(self, rng, dims=None, tolerance=1e-7):
        dims = {**DEFAULT_DIMS, **(dims or {})}
        fn, inputs, names, shapes = self.build(rng, dims)
        report = gradcheck(fn, inputs, names=names, tolerance=tolerance, raise_exception=False)
        return report, shapes


def _op(name, fn, *makers, names=None):
    """An elementwise/tensor op case: each maker is (rng, dims) -> array."""

    def build(rng, dims):
        arrays = [make(rng, dims) for make in makers]
        inputs = [_param(a) for a in arrays]
        shapes = " ".join("x".join(map(str, a.shape)) or "scalar" for a in arrays)
        return fn, inputs, names or [f"input{i}" for i in range(len(inputs))], shapes

    return Check(name, "op", build)


def _nd(rng, dims):
    return rng.standard_normal((dims["n"], dims["d"]))


def _positive_nd(rng, dims):
    return rng.uniform(0.5, 2.0, (dims["n"], dims["d"]))


def _row_d(rng, dims):
    return rng.standard_normal(dims["d"])


def _col_n(rng, dims):
    return rng.standard_normal((dims["n"], 1))


def _dc(rng, dims):
    return rng.standard_normal((dims["d"], dims["c"]))


def _maxout_gap(module, x):
    """Smallest gap between the best and second-best piece of any maxout unit."""
    scores = x @ module.linear.weight.data + module.linear.bias.data
    pieces = np.sort(scores.reshape(len(x), module.out_features, module.pieces), axis=-1)
    return np.min(pieces[..., -1] - pieces[..., -2]) if module.pieces > 1 else np.inf


def _module_case(name, kind, make_module, input_maker=_nd, needs_clear_winner=False):
    """A layer/activation case: check d(out)/d(input) and d(out)/d(every parameter)."""

    def build(rng, dims):
        while True:
            module = make_module(rng, dims).to(np.float64)
            if needs_clear_winner:  # a maxout unit with two near-equal pieces sits on a kink
                module.linear.bias.data[...] = rng.standard_normal(module.linear.bias.shape)
            x = _param(input_maker(rng, dims))
            if not needs_clear_winner or _maxout_gap(module, x.data) > KINK_GAP:
                break
        params = [p for _, p in module.named_parameters()]
        names = ["x"] + [n for n, _ in module.named_parameters()]

        def fn(x, *params):
            return module(x)

        return fn, [x, *params], names, "x " + "x".join(map(str, x.shape))

    return Check(name, kind, build)


def _loss_case(name, loss_fn, scores_maker, reduction):
    def build(rng, dims):
        scores, labels = scores_maker(rng, dims)
        s = _param(scores)
        return (lambda s: loss_fn(s, labels, reduction=reduction)), [s], ["scores"], \
            f"scores {dims['n']}x{dims['c']} ({reduction})"

    return Check(name, "loss", build)


def _softmax_scores(rng, dims):
    return rng.standard_normal((dims["n"], dims["c"])) * 2.0, rng.integers(0, dims["c"], dims["n"])


def _svm_scores(rng, dims):
    return _hinge_scores(rng, dims["n"], dims["c"])


def _svm_through_linear(rng, dims):
    """SVM loss of x W + b; per-example losses (random projection) so no gradient is an exact
    cancellation of +1s and -1s, which finite differences cannot resolve relatively."""
    n, d, c = dims["n"], dims["d"], dims["c"]
    while True:
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, c)), rng.standard_normal(c)
        labels = rng.integers(0, c, n)
        scores = x @ w + b
        margins = scores - scores[np.arange(n), labels][:, None] + 1.0
        margins[np.arange(n), labels] = 1.0
        if np.min(np.abs(margins)) > KINK_GAP:
            break
    inputs = [_param(x), _param(w), _param(b)]

    def fn(x, w, b):
        return F.multiclass_svm_loss(F.linear(x, w, b), labels, reduction="none")

    return fn, inputs, ["x", "W", "b"], f"x {n}x{d}, W {d}x{c}"


def _regularizer_case(name, make_reg, maker):
    def build(rng, dims):
        weights = [_param(maker(rng, (dims["d"], dims["c"]))), _param(maker(rng, (dims["c"], 2)))]
        bias = _param(rng.standard_normal(dims["c"]))  # excluded: its gradient must stay 0
        reg = make_reg()

        def fn(w1, w2, b):
            return reg([w1, w2, b]) + (b * 0.0).sum()

        return fn, [*weights, bias], ["W1", "W2", "b (unpenalized)"], \
            f"W {dims['d']}x{dims['c']}, {dims['c']}x2"

    return Check(name, "regularizer", build)


def _mlp_case(rng, dims):
    n, d, c = dims["n"], dims["d"], dims["c"]
    model = Sequential(Linear(d, 6, rng=rng), Tanh(), Linear(6, 5, rng=rng), Sigmoid(),
                       Linear(5, c, rng=rng)).to(np.float64)
    x = _param(rng.standard_normal((n, d)))
    labels = rng.integers(0, c, n)
    reg = L2(1e-2)
    names = ["x"] + [name for name, _ in model.named_parameters()]

    def fn(x, *params):
        return F.softmax_cross_entropy(model(x), labels) + reg(model)

    return fn, [x, *model.parameters()], names, f"x {n}x{d} -> 6 -> 5 -> {c}"


def _dropout_case(rng, dims):
    x = _param(rng.standard_normal((dims["n"], dims["d"])))
    seed = int(rng.integers(2**31))
    # the same mask at every evaluation: a fresh Generator with a fixed seed each call
    return (lambda x: F.dropout(x, 0.4, np.random.default_rng(seed))), [x], ["x"], \
        f"x {dims['n']}x{dims['d']} (p=0.4)"


def _shape(*axes):
    return lambda rng, dims: rng.standard_normal(tuple(dims[a] if isinstance(a, str) else a
                                                       for a in axes))


CHECKS = [
    _op("add (broadcast)", lambda a, b: a + b, _nd, _row_d),
    _op("sub (broadcast)", lambda a, b: a - b, _col_n, _nd),
    _op("mul (broadcast)", lambda a, b: a * b, _nd, _row_d),
    _op("div (broadcast)", lambda a, b: a / b, _nd, _positive_nd),
    _op("neg", lambda a: -a, _nd),
    _op("pow (constant exponent)", lambda a: a ** 3 + a ** 2, _nd),
    _op("pow (fractional exponent)", lambda a: a ** 1.5, _positive_nd),
    _op("pow (tensor exponent)", lambda a, b: a ** b, _positive_nd, _nd),
    _op("matmul", lambda a, b: a @ b, _nd, _dc),
    _op("matmul (batched)", lambda a, b: a @ b, _shape(2, "n", "d"), _dc),
    _op("matmul (matrix-vector)", lambda a, b: a @ b, _nd, _row_d),
    _op("matmul (vector-vector)", lambda a, b: a @ b, _row_d, _row_d),
    _op("sum (all)", lambda a: a.sum(), _nd),
    _op("sum (axis=0)", lambda a: a.sum(axis=0), _nd),
    _op("mean (axis=1, keepdims)", lambda a: a.mean(axis=1, keepdims=True), _nd),
    _op("max (axis=1)", lambda a: a.max(axis=1), lambda rng, dims: _distinct(rng, (dims["n"], dims["d"]))),
    _op("max (all)", lambda a: a.max(), lambda rng, dims: _distinct(rng, (dims["n"], dims["d"]))),
    _op("exp", lambda a: a.exp(), _nd),
    _op("log", lambda a: a.log(), _positive_nd),
    _op("abs", lambda a: a.abs(), lambda rng, dims: _away_from_zero(rng, (dims["n"], dims["d"]))),
    _op("reshape", lambda a: a.reshape(-1) * 1.0, _nd),
    _op("transpose (.T)", lambda a: a.T, _nd),
    _op("transpose (axes)", lambda a: a.transpose(2, 0, 1), _shape("n", "d", 2)),
    _op("getitem (slice)", lambda a: a[1:, ::2], _nd),
    _op("getitem (integer array, repeats)", lambda a: a[np.array([0, 0, 1, -1])], _nd),
    _op("getitem (rows, cols)", lambda a: a[np.arange(2), np.array([1, 0])], _nd),
    _module_case("Linear", "layer", lambda rng, dims: Linear(dims["d"], dims["c"], rng=rng)),
    _module_case("Linear (no bias)", "layer",
                 lambda rng, dims: Linear(dims["d"], dims["c"], bias=False, rng=rng)),
    _module_case("Maxout (pieces=3)", "layer",
                 lambda rng, dims: Maxout(dims["d"], dims["c"], pieces=3, rng=rng),
                 needs_clear_winner=True),
    _module_case("Flatten", "layer", lambda rng, dims: Flatten(), _shape("n", 2, "d")),
    Check("Dropout (fixed mask)", "layer", _dropout_case),
    _module_case("Sigmoid", "activation", lambda rng, dims: Sigmoid(),
                 lambda rng, dims: 3 * rng.standard_normal((dims["n"], dims["d"]))),
    _module_case("Tanh", "activation", lambda rng, dims: Tanh()),
    _module_case("ReLU", "activation", lambda rng, dims: ReLU(),
                 lambda rng, dims: _away_from_zero(rng, (dims["n"], dims["d"]))),
    _module_case("LeakyReLU", "activation", lambda rng, dims: LeakyReLU(0.1),
                 lambda rng, dims: _away_from_zero(rng, (dims["n"], dims["d"]))),
    _module_case("ELU", "activation", lambda rng, dims: ELU(1.0),
                 lambda rng, dims: _away_from_zero(rng, (dims["n"], dims["d"]))),
    _loss_case("SoftmaxCrossEntropyLoss (mean)", F.softmax_cross_entropy, _softmax_scores, "mean"),
    _loss_case("SoftmaxCrossEntropyLoss (none)", F.softmax_cross_entropy, _softmax_scores, "none"),
    _loss_case("MulticlassSVMLoss (mean)", F.multiclass_svm_loss, _svm_scores, "mean"),
    _loss_case("MulticlassSVMLoss (sum)", F.multiclass_svm_loss, _svm_scores, "sum"),
    Check("MulticlassSVMLoss of Linear", "loss", _svm_through_linear),
    _regularizer_case("L2", lambda: L2(0.3), lambda rng, shape: rng.standard_normal(shape)),
    _regularizer_case("L1", lambda: L1(0.3), _away_from_zero),
    _regularizer_case("ElasticNet", lambda: ElasticNet(0.3, beta=0.5), _away_from_zero),
    Check("MLP + softmax + L2", "network", _mlp_case),
]


def run_checks(seed=0, dims=None, tolerance=1e-7, names=None):
    """Run the checks (all, or those whose name contains one of ``names``).

    Returns
    -------
    list of dict
        One row per check: name, kind, shapes, max_error, passed, errors (per input).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for check in CHECKS:
        if names and not any(part.lower() in check.name.lower() for part in names):
            continue
        report, shapes = check.run(rng, dims, tolerance)
        rows.append({"name": check.name, "kind": check.kind, "shapes": shapes,
                     "max_error": report.max_error, "passed": report.passed,
                     "errors": dict(report.errors)})
    return rows
