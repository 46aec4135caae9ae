"""The fused Adam kernel computes exactly (bit for bit) what the NumPy reference computes."""

import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule import nn, optim
from chainrule.optim import kernels

pytest.importorskip("numba")

CASES = [
    (optim.Adam, {"lr": 1e-2}),
    (optim.Adam, {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-6}),
    (optim.Adam, {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1}),
    (optim.Adam, {"lr": 1e-2, "maximize": True, "bias_correction": False}),
    (optim.AdamW, {"lr": 1e-2, "weight_decay": 0.05}),
    (optim.AdamW, {"lr": 3e-3, "weight_decay": 0.05, "amsgrad": True, "maximize": True}),
]
SHAPES = [(37, 19), (5,), (), (2, 3, 4)]


def trajectory(fused, cls, options, dtype, steps=8):
    """Parameters and optimizer state after `steps` updates with random gradients."""
    rng = np.random.default_rng(0)
    params = [nn.Parameter(rng.standard_normal(shape).astype(dtype)) for shape in SHAPES]
    optimizer = cls(params, fused=fused, **options)
    for step in range(steps):
        for param in params:
            scale = 1e-3 if step % 3 == 0 else 1.0  # tiny gradients exercise eps and v_max
            param.grad = (scale * rng.standard_normal(param.shape)).astype(dtype)
        optimizer.step()
    return [p.data.copy() for p in params], optimizer.state_dict()["state"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls, options", CASES)
def test_fused_kernel_is_bit_identical_to_the_numpy_reference(cls, options, dtype):
    fused, fused_state = trajectory(None, cls, options, dtype)
    reference, reference_state = trajectory(False, cls, options, dtype)
    for a, b in zip(fused, reference):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    assert fused_state.keys() == reference_state.keys()
    for index, state in reference_state.items():
        assert fused_state[index].keys() == state.keys()
        for name, value in state.items():
            np.testing.assert_array_equal(fused_state[index][name], value)


def test_fused_kernel_is_actually_used(monkeypatch):
    calls = []
    original = kernels.adam

    def counting(*args, **kwargs):
        done = original(*args, **kwargs)
        calls.append(done)
        return done

    monkeypatch.setattr(kernels, "adam", counting)
    param = nn.Parameter(np.ones((4, 3), dtype=np.float32))
    param.grad = np.full((4, 3), 0.5, dtype=np.float32)
    optim.Adam([param], lr=0.1).step()
    assert calls == [True]
    # the first Adam step moves every weight by lr against the sign of the gradient
    np.testing.assert_allclose(param.data, 0.9, rtol=1e-6)


def test_arrays_the_kernel_cannot_take_fall_back_to_numpy():
    x = np.zeros(8, dtype=np.float32)
    m, v = np.zeros_like(x), np.zeros_like(x)
    kwargs = dict(beta1=0.9, beta2=0.999, eps=1e-8, sqrt_bias_correction2=1.0, step_size=0.1)
    assert kernels.adam(x, np.ones(8, np.float32), m, v, None, **kwargs)
    assert not kernels.adam(x, np.ones(8, np.float64), m, v, None, **kwargs)   # mixed dtypes
    assert not kernels.adam(x, np.ones(16, np.float32)[::2], m, v, None, **kwargs)  # strided
    assert not kernels.adam(x.astype(np.float16), np.ones(8, np.float16), m.astype(np.float16),
                            v.astype(np.float16), None, **kwargs)
    # the NumPy path gives the same update on a strided gradient
    param = nn.Parameter(np.zeros(8, dtype=np.float32))
    param.grad = np.ones(16, np.float32)[::2]
    optim.Adam([param], lr=0.1).step()
    np.testing.assert_allclose(param.data, -0.1, rtol=1e-6)


def test_set_enabled_false_uses_the_numpy_reference(monkeypatch):
    monkeypatch.setitem(kernels._state, "enabled", True)
    kernels.set_enabled(False)
    assert not kernels.enabled()
    x = np.zeros(4)
    assert not kernels.adam(x, x, x.copy(), x.copy(), None, beta1=0.9, beta2=0.999, eps=1e-8,
                            sqrt_bias_correction2=1.0, step_size=0.1)
    kernels.set_enabled(True)
    assert kernels.enabled()


def test_fused_argument_is_checked(monkeypatch):
    param = nn.Parameter(np.zeros(3))
    with pytest.raises(TypeError, match="fused"):
        optim.Adam([param], fused="yes")
    monkeypatch.setitem(kernels._state, "kernels", {})   # as if numba were missing
    with pytest.raises(ImportError, match="numba"):
        optim.Adam([param], fused=True)
    optim.Adam([param], fused=None)  # falls back silently


def test_import_chainrule_does_not_import_numba():
    code = ("import sys, chainrule, chainrule.optim, chainrule.nn; "
            "from chainrule.optim import Adam; print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_environment_variable_disables_the_kernels():
    code = ("import numpy as np; from chainrule.optim import kernels; x = np.zeros(4); "
            "print(kernels.enabled(), kernels.adam(x, x, x.copy(), x.copy(), None, beta1=0.9, "
            "beta2=0.999, eps=1e-8, sqrt_bias_correction2=1.0, step_size=0.1))")
    env = dict(os.environ, CHAINRULE_FUSED_KERNELS="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["False", "False"]
