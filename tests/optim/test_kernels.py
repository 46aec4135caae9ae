"""The fused update kernels compute the same updates as the NumPy reference code."""

import numpy as np
import pytest

from chainrule import nn, optim
from chainrule.optim import kernels

pytest.importorskip("numba")

CASES = [
    (optim.Adam, {"lr": 1e-2}),
    (optim.Adam, {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1}),
    (optim.Adam, {"lr": 1e-2, "maximize": True, "bias_correction": False}),
    (optim.AdamW, {"lr": 1e-2, "weight_decay": 0.05}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.8, "dampening": 0.5, "maximize": True}),
]


def trajectory(fused, cls, options, dtype, steps=6):
    previous = kernels.enabled()
    kernels.set_enabled(fused)
    try:
        rng = np.random.default_rng(0)
        shape = (kernels.MIN_SIZE // 100 + 7, 100)  # above the size that takes the kernel
        parameter = nn.Parameter(rng.standard_normal(shape).astype(dtype))
        optimizer = cls([parameter], **options)
        for _ in range(steps):
            parameter.grad = rng.standard_normal(shape).astype(dtype)
            optimizer.step()
        return parameter.data.copy(), optimizer.state_dict()
    finally:
        kernels.set_enabled(previous)


@pytest.mark.parametrize("cls, options", CASES)
def test_fused_kernel_matches_numpy_reference_float64(cls, options):
    fused, fused_state = trajectory(True, cls, options, np.float64)
    reference, reference_state = trajectory(False, cls, options, np.float64)
    np.testing.assert_allclose(fused, reference, rtol=1e-12, atol=1e-14)
    for index, state in reference_state["state"].items():
        for name, value in state.items():
            np.testing.assert_allclose(fused_state["state"][index][name], value, rtol=1e-12,
                                       atol=1e-14)


@pytest.mark.parametrize("cls, options", CASES)
def test_fused_kernel_matches_numpy_reference_float32(cls, options):
    fused, _ = trajectory(True, cls, options, np.float32)
    reference, _ = trajectory(False, cls, options, np.float32)
    assert fused.dtype == np.float32
    # float32 rounding differs (the kernel rounds once per element, NumPy once per pass)
    np.testing.assert_allclose(fused, reference, rtol=1e-5, atol=1e-5)


def test_small_arrays_and_disabled_kernels_take_the_numpy_path():
    small = np.zeros(10, dtype=np.float32)
    assert kernels.adam_kernel(small, small) is None
    large = np.zeros(kernels.MIN_SIZE, dtype=np.float32)
    assert kernels.adam_kernel(large, large) is not None
    assert kernels.adam_kernel(large[::2], large[::2]) is None  # not contiguous
    kernels.set_enabled(False)
    try:
        assert kernels.adam_kernel(large, large) is None
    finally:
        kernels.set_enabled(True)
