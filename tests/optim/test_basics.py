"""Basic behaviour of the optimizer base class and the first optimizers and schedules."""

import json

import numpy as np
import pytest

from chainrule.nn import Linear, Parameter
from chainrule.optim import SGD, Adam, AdamW
from chainrule.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, StepLR


def quadratic_step(optimizer, w):
    optimizer.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    optimizer.step()


def test_sgd_vanilla_update_is_x_minus_lr_g():
    w = Parameter(np.array([1.0, -2.0]))
    optimizer = SGD([w], lr=0.1)
    quadratic_step(optimizer, w)
    np.testing.assert_allclose(w.data, [0.8, -1.6], rtol=1e-15)


def test_parameters_without_grad_are_skipped():
    a, b = Parameter(np.ones(3)), Parameter(np.ones(3))
    optimizer = Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    optimizer.step()
    assert not np.allclose(a.data, 1.0)
    np.testing.assert_array_equal(b.data, 1.0)
    assert b not in optimizer.state or not optimizer.state[b]


def test_param_groups_have_their_own_lr():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    optimizer = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    ((a * a).sum() + (b * b).sum()).backward()
    optimizer.step()
    np.testing.assert_allclose(a.data, 0.8)
    np.testing.assert_allclose(b.data, 0.0)


def test_float32_parameters_stay_float32():
    model = Linear(4, 3, rng=0)
    for optimizer in (SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3),
                      Adam(model.parameters(), lr=0.1, amsgrad=True)):
        model.zero_grad()
        out = model(np.ones((2, 4), dtype=np.float32))
        (out * out).sum().backward()
        optimizer.step()
        for p in model.parameters():
            assert p.data.dtype == np.float32
        for state in optimizer.state.values():
            for value in state.values():
                if isinstance(value, np.ndarray):
                    assert value.dtype == np.float32


@pytest.mark.parametrize("make", [
    lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda p: Adam(p, lr=0.1, amsgrad=True),
    lambda p: AdamW(p, lr=0.1),
])
def test_state_dict_resumes_exactly_after_json_round_trip(make):
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 2))
    w = Parameter(start.copy())
    optimizer = make([w])
    for _ in range(3):
        quadratic_step(optimizer, w)
    saved = optimizer.state_dict()
    arrays = {k: {n: v for n, v in s.items() if isinstance(v, np.ndarray)}
              for k, s in saved["state"].items()}
    rest = json.loads(json.dumps({
        "state": {k: {n: v for n, v in s.items() if not isinstance(v, np.ndarray)}
                  for k, s in saved["state"].items()},
        "param_groups": saved["param_groups"]}))
    for key, values in rest["state"].items():
        values.update(arrays[int(key)])
    checkpoint = w.data.copy()
    for _ in range(4):
        quadratic_step(optimizer, w)
    expected = w.data.copy()

    w2 = Parameter(checkpoint.copy())
    resumed = make([w2])
    resumed.load_state_dict(rest)
    for _ in range(4):
        quadratic_step(resumed, w2)
    np.testing.assert_array_equal(w2.data, expected)
    again = resumed.state_dict()
    assert again["param_groups"] == optimizer.state_dict()["param_groups"]


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=-0.1), "lr"), (dict(lr=float("nan")), "lr"), (dict(betas=(1.0, 0.999)), "beta1"),
    (dict(betas=(0.9, -0.1)), "beta2"), (dict(eps=-1e-8), "eps"),
    (dict(weight_decay=-1.0), "weight_decay"),
])
def test_adam_rejects_bad_hyperparameters_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Adam([Parameter(np.zeros(2))], **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=-1.0), "lr"), (dict(lr=0.1, momentum=-0.5), "momentum"),
    (dict(lr=0.1, weight_decay=float("nan")), "weight_decay"),
    (dict(lr=0.1, nesterov=True), "nesterov"),
])
def test_sgd_rejects_bad_hyperparameters_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SGD([Parameter(np.zeros(2))], **kwargs)


def test_load_state_dict_rejects_mismatched_state():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(3))
    optimizer = SGD([a, b], lr=0.1, momentum=0.9)
    (a.sum() + b.sum()).backward()
    optimizer.step()
    saved = optimizer.state_dict()
    with pytest.raises(ValueError, match="2 parameters here but 1"):
        SGD([Parameter(np.ones(2)), Parameter(np.ones(3))], lr=0.1).load_state_dict(
            {"state": {}, "param_groups": [dict(saved["param_groups"][0], params=[0])]})
    with pytest.raises(ValueError, match="shape"):
        SGD([Parameter(np.ones(3)), Parameter(np.ones(2))], lr=0.1).load_state_dict(saved)


def collect(scheduler, optimizer, steps):
    rates = []
    for _ in range(steps):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return rates


def test_step_lambda_and_cosine_schedules_follow_their_formulas():
    def make():
        return SGD([Parameter(np.zeros(1))], lr=0.2)

    optimizer = make()
    assert collect(StepLR(optimizer, step_size=3, gamma=0.5), optimizer, 7) == pytest.approx(
        [0.2 * 0.5 ** (t // 3) for t in range(7)], rel=1e-12)
    optimizer = make()
    assert collect(LambdaLR(optimizer, lambda t: 1 / (t + 1)), optimizer, 5) == pytest.approx(
        [0.2 / (t + 1) for t in range(5)], rel=1e-12)
    optimizer = make()
    rates = collect(CosineAnnealingLR(optimizer, T_max=10), optimizer, 11)
    expected = [0.1 * (1 + np.cos(np.pi * t / 10)) for t in range(11)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=1e-15)
