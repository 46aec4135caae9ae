import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import Function, GradcheckError, gradcheck, numerical_gradient, rel_error
from chainrule.gradcheck import CHECKS, run_checks


def test_numerical_gradient_of_known_function():
    x = np.array([0.3, -1.2, 2.0])
    grad = numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])  # restored
    grad4 = numerical_gradient(lambda v: np.sum(np.sin(v)), x, h=1e-3, order=4)
    assert rel_error(grad4, np.cos(x)) < 1e-11


def test_rel_error_definition():
    assert rel_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)  # 1e-12 / max(1e-8, 1e-12)


class WrongSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * x  # missing the factor 2


def test_gradcheck_catches_a_wrong_backward():
    x = np.random.default_rng(0).standard_normal((3, 2))
    with pytest.raises(GradcheckError, match="FAILED"):
        gradcheck(lambda t: WrongSquare.apply(t), [x])
    report = gradcheck(lambda t: WrongSquare.apply(t), [x], raise_exception=False)
    assert not report.passed and report.errors["input0"] > 0.1


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t * 2, [cr.tensor([1.0], requires_grad=True)])


def test_every_check_passes_on_default_shapes():
    rows = run_checks(seed=0)
    assert len(rows) == len(CHECKS) >= 40
    failures = {row["name"]: row["max_error"] for row in rows if not row["passed"]}
    assert failures == {}
    assert all(row["max_error"] < 1e-7 for row in rows)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 7), d=st.integers(2, 7),
       c=st.integers(2, 6))
def test_every_check_passes_on_random_shapes(seed, n, d, c):
    rows = run_checks(seed=seed, dims={"n": n, "d": d, "c": c})
    failures = {row["name"]: row["errors"] for row in rows if not row["passed"]}
    assert failures == {}
