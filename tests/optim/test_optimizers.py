"""Every optimizer: bad input, exact resuming from state_dict(), dtypes, groups, factories."""

import json

import numpy as np
import pytest

from chainrule.nn import Linear, Parameter, ReLU, Sequential, SoftmaxCrossEntropyLoss
from chainrule.optim import (
    LBFGS,
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RandomSearch,
    RMSProp,
    RMSprop,
    get_optimizer,
)

GRADIENT_OPTIMIZERS = {
    "sgd": lambda p: SGD(p, lr=0.05),
    "momentum": lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "nesterov-velocity": lambda p: SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                       momentum_form="velocity"),
    "adagrad": lambda p: AdaGrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    "rmsprop": lambda p: RMSProp(p, lr=0.01, momentum=0.5, centered=True),
    "adam": lambda p: Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-3),
    "adamw": lambda p: AdamW(p, lr=0.01),
}


def problem(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 6)).astype(dtype)
    y = rng.integers(0, 3, 32)
    model = Sequential(Linear(6, 8, rng=1, dtype=dtype), ReLU(), Linear(8, 3, rng=2, dtype=dtype))
    return model, x, y


def make_closure(model, x, y, optimizer):
    loss_fn = SoftmaxCrossEntropyLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    return closure


def json_round_trip(state_dict):
    """What a checkpoint does: arrays to one side (safetensors), the rest through JSON."""
    arrays, plain = {}, {"state": {}, "param_groups": state_dict["param_groups"]}
    for index, values in state_dict["state"].items():
        plain["state"][index] = {}
        for name, value in values.items():
            assert isinstance(value, (np.ndarray, int, float, list, dict)), (name, type(value))
            if isinstance(value, np.ndarray):
                arrays[f"{index}.{name}"] = value
            else:
                plain["state"][index][name] = value
    extra = {key: value for key, value in state_dict.items() if key not in plain}
    plain = json.loads(json.dumps({**plain, **extra}))
    for key, value in arrays.items():
        index, name = key.split(".", 1)
        plain["state"][index][name] = value
    return plain


ALL_OPTIMIZERS = {
    **GRADIENT_OPTIMIZERS,
    "lbfgs": lambda p: LBFGS(p, lr=1.0, max_iter=4, history_size=3),
    "lbfgs-wolfe": lambda p: LBFGS(p, max_iter=4, line_search_fn="strong_wolfe"),
    "random-search": lambda p: RandomSearch(p, scale=0.05, samples=3, seed=7),
}


@pytest.mark.parametrize("name", sorted(ALL_OPTIMIZERS))
def test_state_dict_round_trips_and_resumes_exactly(name):
    make = ALL_OPTIMIZERS[name]
    model, x, y = problem()
    optimizer = make(list(model.parameters()))
    closure = make_closure(model, x, y, optimizer)
    for _ in range(3):
        optimizer.step(closure)
    saved = json_round_trip(optimizer.state_dict())
    weights = model.state_dict()
    for _ in range(3):
        optimizer.step(closure)
    expected = [p.data.copy() for p in model.parameters()]

    model2, _, _ = problem()
    model2.load_state_dict(weights)
    resumed = make(list(model2.parameters()))
    resumed.load_state_dict(saved)
    closure2 = make_closure(model2, x, y, resumed)
    for _ in range(3):
        resumed.step(closure2)
    for got, want in zip(model2.parameters(), expected):
        np.testing.assert_array_equal(got.data, want)
    # and the state dicts agree after the same steps
    again, original = resumed.state_dict(), optimizer.state_dict()
    assert again["param_groups"] == original["param_groups"]
    assert again["state"].keys() == original["state"].keys()
    for index in original["state"]:
        for key, value in original["state"][index].items():
            np.testing.assert_array_equal(again["state"][index][key], value)


@pytest.mark.parametrize("name", sorted(ALL_OPTIMIZERS))
def test_every_optimizer_lowers_the_loss_and_keeps_float32(name):
    model, x, y = problem(np.float32)
    optimizer = ALL_OPTIMIZERS[name](model.parameters())
    closure = make_closure(model, x, y, optimizer)
    before = closure().item()
    for _ in range(20):
        optimizer.step(closure)
    assert closure().item() < before
    for p in model.parameters():
        assert p.data.dtype == np.float32
    for state in optimizer.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


@pytest.mark.parametrize("name", sorted(GRADIENT_OPTIMIZERS))
def test_updates_in_place_and_never_touch_the_gradient(name):
    model, x, y = problem()
    optimizer = GRADIENT_OPTIMIZERS[name](model.parameters())
    arrays = [p.data for p in model.parameters()]
    closure = make_closure(model, x, y, optimizer)
    closure()
    grads = [p.grad.copy() for p in model.parameters()]
    optimizer.step()
    for p, array, grad in zip(model.parameters(), arrays, grads):
        assert p.data is array
        np.testing.assert_array_equal(p.grad, grad)


BAD_INPUT = [
    (SGD, dict(lr=-0.1), "lr"), (SGD, dict(lr=float("nan")), "lr"),
    (SGD, dict(lr=0.1, momentum=-0.1), "momentum"),
    (SGD, dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
    (SGD, dict(lr=0.1, momentum_form="heavy"), "momentum_form"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, momentum_form="velocity"), "dampening"),
    (AdaGrad, dict(lr=-1e-2), "lr"), (AdaGrad, dict(eps=-1.0), "eps"),
    (AdaGrad, dict(lr_decay=-0.1), "lr_decay"),
    (AdaGrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (RMSProp, dict(lr=float("nan")), "lr"), (RMSProp, dict(alpha=-0.5), "alpha"),
    (RMSProp, dict(eps=-1e-8), "eps"), (RMSProp, dict(weight_decay=-1.0), "weight_decay"),
    (Adam, dict(betas=(0.9, 1.0)), "beta2"), (Adam, dict(betas=(-0.1, 0.9)), "beta1"),
    (Adam, dict(betas=(float("nan"), 0.9)), "beta1"), (Adam, dict(betas=0.9), "betas"),
    (AdamW, dict(lr=-1e-3), "lr"), (AdamW, dict(weight_decay=-1e-2), "weight_decay"),
    (LBFGS, dict(lr=-1.0), "lr"), (LBFGS, dict(line_search_fn="armijo"), "line_search_fn"),
    (LBFGS, dict(history_size=0), "history_size"),
    (RandomSearch, dict(scale=-1.0), "scale"), (RandomSearch, dict(mode="grid"), "mode"),
    (RandomSearch, dict(samples=0), "samples"),
]


@pytest.mark.parametrize("cls, kwargs, name", BAD_INPUT,
                         ids=[f"{c.__name__}-{n}-{i}" for i, (c, _, n) in enumerate(BAD_INPUT)])
def test_bad_hyperparameters_raise_value_error_naming_the_argument(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls([Parameter(np.zeros(2))], **kwargs)


def test_bad_params_raise_clear_errors():
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(Parameter(np.zeros(2)), lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="parameter 1 is a ndarray"):
        Adam([Parameter(np.zeros(2)), np.zeros(2)])
    with pytest.raises(TypeError, match="set"):
        Adam({Parameter(np.zeros(2))})
    w = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="twice"):
        Adam([w, w])
    with pytest.raises(TypeError, match="lr"):
        SGD([w])
    with pytest.raises(TypeError, match="real number"):
        Adam([w], lr="fast")
    optimizer = Adam([w])
    with pytest.raises(ValueError, match="more than one group"):
        optimizer.add_param_group({"params": [w]})
    with pytest.raises(TypeError, match="closure"):
        LBFGS([w]).step()


def test_load_state_dict_rejects_states_of_other_optimizers():
    a, b = Parameter(np.ones((2, 3))), Parameter(np.ones(3))
    optimizer = Adam([a, b], lr=0.1)
    a.grad, b.grad = np.ones((2, 3)), np.ones(3)
    optimizer.step()
    saved = optimizer.state_dict()
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer has 2"):
        Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"exp_avg.*shape \(2, 3\).*shape \(3, 2\)"):
        Adam([Parameter(np.ones((3, 2))), Parameter(np.ones(3))]).load_state_dict(saved)
    with pytest.raises(KeyError, match="param_groups"):
        Adam([a, b]).load_state_dict({"state": {}})
    with pytest.raises(ValueError, match=r"d must have shape \(9,\)"):
        lbfgs = LBFGS([a, b])
        lbfgs.load_state_dict({"state": {0: {"d": np.zeros(4)}},
                               "param_groups": lbfgs.state_dict()["param_groups"]})


def test_add_param_group_takes_defaults_and_its_own_options():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    optimizer = SGD([a], lr=0.1, momentum=0.9)
    optimizer.add_param_group({"params": b, "lr": 0.01})
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.01]
    assert optimizer.param_groups[1]["momentum"] == 0.9
    with pytest.raises(ValueError, match="lr"):
        optimizer.add_param_group({"params": [Parameter(np.ones(1))], "lr": -1.0})


def test_named_parameters_are_accepted_and_named_in_the_state_dict():
    model, _, _ = problem()
    optimizer = Adam(model.named_parameters())
    assert optimizer.state_dict()["param_groups"][0]["param_names"] == [
        name for name, _ in model.named_parameters()]


def test_zero_grad_sets_to_none_or_zero():
    w = Parameter(np.ones(2))
    optimizer = SGD([w], lr=0.1)
    w.grad = np.ones(2)
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad, 0.0)
    optimizer.zero_grad()
    assert w.grad is None


def test_step_returns_the_closure_loss():
    model, x, y = problem()
    optimizer = Adam(model.parameters())
    closure = make_closure(model, x, y, optimizer)
    expected = closure().item()
    assert optimizer.step(closure).item() == pytest.approx(expected, rel=1e-12)


def test_aliases_are_the_same_classes():
    assert Adagrad is AdaGrad and RMSprop is RMSProp
    assert all(issubclass(c, Optimizer) for c in (SGD, AdaGrad, RMSProp, Adam, LBFGS))


@pytest.mark.parametrize("name, cls, expected", [
    ("sgd", SGD, {"momentum": 0, "nesterov": False}),
    ("momentum", SGD, {"momentum": 0.9, "nesterov": False}),
    ("nesterov", SGD, {"momentum": 0.9, "nesterov": True}),
    ("adagrad", AdaGrad, {"eps": 1e-10}),
    ("rmsprop", RMSProp, {"alpha": 0.99}),
    ("adam", Adam, {"betas": (0.9, 0.999), "weight_decay": 0}),
    ("adamw", AdamW, {"weight_decay": 1e-2, "decoupled_weight_decay": True}),
    ("lbfgs", LBFGS, {"max_iter": 20, "max_eval": 25}),
    ("random-search", RandomSearch, {"scale": 0.02, "mode": "local"}),
])
def test_get_optimizer_builds_each_name(name, cls, expected):
    optimizer = get_optimizer(name, [Parameter(np.zeros(2))], lr=0.02)
    assert type(optimizer) is cls
    group = optimizer.param_groups[0]
    for key, value in expected.items():
        assert group[key] == value
    if cls is not RandomSearch:
        assert group["lr"] == 0.02
    assert name in OPTIMIZERS


def test_get_optimizer_passes_options_and_rejects_unknown_names():
    optimizer = get_optimizer("momentum", [Parameter(np.zeros(2))], lr=0.1, momentum=0.5)
    assert optimizer.param_groups[0]["momentum"] == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'"):
        get_optimizer("adamax", [Parameter(np.zeros(2))], lr=0.1)


@pytest.mark.parametrize("cls, kwargs", [
    (SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)), (AdaGrad, dict(weight_decay=0.01)),
    (RMSProp, dict(momentum=0.5, centered=True)), (Adam, dict(weight_decay=0.01)),
])
def test_maximize_ascends_along_the_gradient(cls, kwargs):
    rng = np.random.default_rng(5)
    start, gradients = rng.standard_normal(4), rng.standard_normal((6, 4))
    ascend, descend = Parameter(start.copy()), Parameter(start.copy())
    up = cls([ascend], maximize=True, **kwargs)
    down = cls([descend], **kwargs)
    for g in gradients:           # maximizing f with gradient g = minimizing -f
        ascend.grad, descend.grad = g, -g
        up.step()
        down.step()
    np.testing.assert_allclose(ascend.data, descend.data, rtol=1e-14)
    assert not np.allclose(ascend.data, start)


def test_scratch_buffers_follow_new_parameter_arrays():
    model, x, y = problem()
    optimizer = SGD(model.parameters(), lr=0.1)
    closure = make_closure(model, x, y, optimizer)
    for _ in range(12):
        model.to(np.float64)       # new arrays each time
        optimizer.step(closure)
    assert len(optimizer._scratch) <= 4 * 4 + 8 + 4
