"""The compiled kernels (chainrule.kernels) compute exactly, bit for bit, what the NumPy references compute."""

import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule import kernels, nn, optim

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
    code = ("import numpy as np; from chainrule import kernels; x = np.zeros(4); "
            "print(kernels.enabled(), kernels.adam(x, x, x.copy(), x.copy(), None, beta1=0.9, "
            "beta2=0.999, eps=1e-8, sqrt_bias_correction2=1.0, step_size=0.1))")
    env = dict(os.environ, CHAINRULE_FUSED_KERNELS="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------- k smallest (kNN)
def numpy_k_smallest(block, k, offsets=None):
    from chainrule.classifiers.distances import _k_smallest

    ranked = block if offsets is None else offsets[None, :] - block
    indices = _k_smallest(ranked, k)
    return np.take_along_axis(ranked, indices, axis=1), indices


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 3, 7, 40])
def test_k_smallest_matches_the_numpy_selection(dtype, k):
    rng = np.random.default_rng(k)
    block = rng.integers(0, 12, size=(50, 40)).astype(dtype)   # many ties, at the boundary too
    block[3, :] = 5                                              # a row of one value
    block[4, ::3] = np.inf
    block[5, 7] = -np.inf
    block[6, :] = np.inf
    block[7, [2, 9, 30]] = np.nan                                # NaN ranks after everything
    block[8, :] = np.nan
    offsets = rng.integers(0, 5, size=40).astype(dtype)
    for given in (None, offsets):
        values, indices = kernels.k_smallest(np.ascontiguousarray(block), k, given)
        expected_values, expected_indices = numpy_k_smallest(block, k, given)
        np.testing.assert_array_equal(indices, expected_indices)
        np.testing.assert_array_equal(values, expected_values)
        assert values.dtype == dtype and indices.dtype == np.int64


def test_k_smallest_declines_what_it_cannot_do():
    block = np.zeros((3, 4), dtype=np.float32)
    assert kernels.k_smallest(block, 5) is None                        # k > n
    assert kernels.k_smallest(block, 0) is None
    assert kernels.k_smallest(block[:, ::2], 1) is None                # not contiguous
    assert kernels.k_smallest(block, 1, np.zeros(4, np.float64)) is None   # mixed dtypes
    assert kernels.k_smallest(block.astype(np.int32), 1) is None


@pytest.mark.parametrize("metric", ["l2", "l1"])
def test_k_nearest_is_the_same_with_and_without_the_kernel(metric, monkeypatch):
    from chainrule.classifiers.distances import k_nearest

    rng = np.random.default_rng(1)
    train = rng.integers(0, 4, size=(3000, 20)).astype(np.float32)    # duplicate points: ties
    queries = np.concatenate([train[:50], rng.random((200, 20), dtype=np.float32) * 4])
    # a small max_memory: several blocks, each big enough to be split across threads
    fast = k_nearest(queries, train, 6, metric, max_memory=2**22)
    monkeypatch.setitem(kernels._state, "enabled", False)
    reference = k_nearest(queries, train, 6, metric, max_memory=2**22)
    np.testing.assert_array_equal(fast[1], reference[1])
    np.testing.assert_array_equal(fast[0], reference[0])


def test_kernels_compile_without_a_writable_cache(monkeypatch):
    import numba

    real_njit = numba.njit

    def njit(*args, cache=False, **options):
        if cache:  # what numba raises when no cache folder is writable
            raise RuntimeError("cannot cache function 'adam': no locator available for file")
        return real_njit(*args, **options)

    monkeypatch.setattr(numba, "njit", njit)
    compiled = kernels._compile()
    x = np.zeros(5, dtype=np.float32)
    values, indices = np.empty((1, 2), np.float32), np.empty((1, 2), np.int64)
    compiled["k_smallest"](np.array([[3, 1, 2, 0, 5]], np.float32), 2, values, indices)
    assert indices.tolist() == [[3, 1]] and values.tolist() == [[0.0, 1.0]]
    compiled["adam"](x, np.ones(5, np.float32), np.zeros(5, np.float32),
                     np.zeros(5, np.float32), np.array([0.9, 0.1, 0.999, 0.001, 1, 0, 0.1],
                                                       np.float32))
    assert np.all(x < 0)
