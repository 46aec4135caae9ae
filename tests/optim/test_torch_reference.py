"""Every optimizer and schedule against the trajectories recorded from PyTorch 2.13
(tools/record_torch_reference.py); no torch needed here."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from chainrule.nn import Linear, Parameter, Sequential, SoftmaxCrossEntropyLoss, Tanh
from chainrule.optim import LBFGS, SGD, AdaGrad, Adam, AdamW, RMSProp
from chainrule.optim import lr_scheduler as S

FIXTURES = Path(__file__).parent / "fixtures"
META = json.loads((FIXTURES / "torch_optim.json").read_text())
with np.load(FIXTURES / "torch_optim.npz") as _npz:
    DATA = {key: _npz[key] for key in _npz.files}

CLASSES = {"SGD": SGD, "Adagrad": AdaGrad, "RMSprop": RMSProp, "Adam": Adam, "AdamW": AdamW}
CONFIGS = {config["key"]: config for config in META["optimizers"]}
TRAJECTORY_RTOL = 1e-10


def make_optimizer(config, params, lr):
    options = dict(config["options"])
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    return CLASSES[config["torch_class"]](params, lr=lr, **options)


def assert_same_path(path, reference):
    """Relative error of each step's parameter vector at most 1e-10."""
    assert path.shape == reference.shape
    for step, (x, x_ref) in enumerate(zip(path, reference)):
        error = np.linalg.norm(x - x_ref) / max(np.linalg.norm(x_ref), 1e-300)
        assert error <= TRAJECTORY_RTOL, f"step {step}: relative error {error:.3g}"


def test_fixtures_cover_every_optimizer_and_option():
    covered = {(c["torch_class"], key) for c in META["optimizers"] for key in c["options"]}
    for name, options in {"SGD": ["momentum", "dampening", "nesterov", "weight_decay"],
                          "Adagrad": ["lr_decay", "weight_decay", "initial_accumulator_value"],
                          "RMSprop": ["momentum", "centered", "alpha", "weight_decay"],
                          "Adam": ["amsgrad", "weight_decay", "betas", "eps"],
                          "AdamW": ["amsgrad", "weight_decay"]}.items():
        for option in options:
            assert (name, option) in covered
    assert META["steps"] >= 100


@pytest.mark.parametrize("key", sorted(CONFIGS))
def test_quadratic_trajectory_matches_torch(key):
    config = CONFIGS[key]
    a_matrix, b = DATA["quadratic_A"], DATA["quadratic_b"]
    w = Parameter(DATA["quadratic_w0"].copy())
    optimizer = make_optimizer(config, [w], config["lr_quadratic"])
    path = [w.data.copy()]
    for _ in range(META["steps"]):
        optimizer.zero_grad()
        w.grad = a_matrix @ w.data - b              # f = w^T A w / 2 - b^T w
        optimizer.step()
        path.append(w.data.copy())
    assert_same_path(np.stack(path), DATA[f"quadratic__{key}"])


def build_mlp():
    first, second = Linear(4, 5, dtype=np.float64), Linear(5, 3, dtype=np.float64)
    first.weight.data[...] = DATA["mlp_w1"]
    first.bias.data[...] = DATA["mlp_b1"]
    second.weight.data[...] = DATA["mlp_w2"]
    second.bias.data[...] = DATA["mlp_b2"]
    return Sequential(first, Tanh(), second)


@pytest.mark.parametrize("key", sorted(CONFIGS))
def test_mlp_trajectory_matches_torch(key):
    config = CONFIGS[key]
    model = build_mlp()
    loss_fn = SoftmaxCrossEntropyLoss()
    x, y = DATA["mlp_x"], DATA["mlp_y"]
    optimizer = make_optimizer(config, model.parameters(), config["lr_mlp"])

    def flat():
        return np.concatenate([p.data.ravel() for p in model.parameters()])

    path = [flat()]
    for _ in range(META["steps"]):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        path.append(flat())
    assert_same_path(np.stack(path), DATA[f"mlp__{key}"])


@pytest.mark.parametrize("variant", META["lbfgs"]["variants"], ids=lambda v: v["key"])
def test_lbfgs_reaches_the_same_loss_as_torch(variant):
    x, y = DATA["softmax_x"], DATA["softmax_y"]
    w, b = Parameter(DATA["softmax_w0"].copy()), Parameter(DATA["softmax_b0"].copy())
    l2 = META["lbfgs"]["l2"]
    loss_fn = SoftmaxCrossEntropyLoss()
    optimizer = LBFGS([w, b], **variant["options"])

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(x @ w + b, y) + (w * w).sum() * l2
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(META["lbfgs"]["steps"])]
    final = closure().item()
    np.testing.assert_allclose(losses, variant["losses"], rtol=1e-8)
    assert final == pytest.approx(variant["final_loss"], rel=1e-8)
    state = optimizer.state[w]
    assert (state["n_iter"], state["func_evals"]) == (variant["n_iter"], variant["func_evals"])
    np.testing.assert_allclose(w.data, DATA[f"lbfgs__{variant['key']}__w"], rtol=1e-5,
                               atol=1e-6)


# ---------------------------------------------------------------------- schedules
LAMBDAS = {  # the same named factors as the recording script
    "exp_0.95": lambda t: 0.95**t,
    "inverse_sqrt": lambda t: 1.0 / math.sqrt(t + 1),
    "inverse_sqrt_warmup_10": lambda t: min((t + 1) / 10, math.sqrt(10 / (t + 1))),
}


def build_scheduler(optimizer, spec):
    cls = getattr(S, spec["class"])
    if spec["class"] == "SequentialLR":
        inner = [build_scheduler(optimizer, s) for s in spec["schedulers"]]
        return cls(optimizer, inner, milestones=spec["milestones"])
    kwargs = dict(spec["kwargs"])
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = LAMBDAS[kwargs["lr_lambda"]]
    return cls(optimizer, **kwargs)


def make_two_group_optimizer():
    base = META["schedules"]["base_lrs"]
    return SGD([{"params": [Parameter(np.zeros(1))], "lr": lr} for lr in base], lr=base[0])


def run_schedule(scheduler, optimizer, steps):
    rates = []
    for _ in range(steps):
        rates.append(scheduler.get_last_lr())
        optimizer.step()
        scheduler.step()
    return np.array(rates)


SEQUENCES = META["schedules"]["sequences"]


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_schedule_matches_torch(name):
    optimizer = make_two_group_optimizer()
    scheduler = build_scheduler(optimizer, SEQUENCES[name]["spec"])
    rates = run_schedule(scheduler, optimizer, META["schedules"]["steps"])
    np.testing.assert_allclose(rates, SEQUENCES[name]["lrs"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, warmup", [("lambda_inverse_sqrt", 0),
                                          ("lambda_inverse_sqrt_warmup", 10)])
def test_inverse_sqrt_schedule_matches_torch_lambda(name, warmup):
    optimizer = make_two_group_optimizer()
    scheduler = S.InverseSqrtLR(optimizer, warmup_steps=warmup)
    rates = run_schedule(scheduler, optimizer, META["schedules"]["steps"])
    np.testing.assert_allclose(rates, SEQUENCES[name]["lrs"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["warmup_cosine", "constant_then_exponential_then_step",
                                  "multistep", "cosine_restart_region"])
def test_schedule_resumes_from_state_dict_mid_run(name):
    steps = META["schedules"]["steps"]
    optimizer = make_two_group_optimizer()
    scheduler = build_scheduler(optimizer, SEQUENCES[name]["spec"])
    first = run_schedule(scheduler, optimizer, 37)
    saved_scheduler = json.loads(json.dumps(scheduler.state_dict()))
    saved_optimizer = optimizer.state_dict()

    resumed_optimizer = make_two_group_optimizer()
    resumed = build_scheduler(resumed_optimizer, SEQUENCES[name]["spec"])
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    rest = run_schedule(resumed, resumed_optimizer, steps - 37)
    np.testing.assert_allclose(np.concatenate([first, rest]), SEQUENCES[name]["lrs"],
                               rtol=1e-12, atol=1e-15)
