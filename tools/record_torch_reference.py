"""Record reference trajectories of torch.optim and torch.optim.lr_scheduler as test fixtures.

Run in a separate environment that has PyTorch (never a chainrule dependency):

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tools/record_torch_reference.py

Everything runs in float64. It writes, under tests/optim/fixtures/:

- ``torch_optim.json``: the optimizer configurations (class, options, learning rate per
  problem), the L-BFGS variants, and every schedule's learning-rate sequence;
- ``torch_optim.npz``: the problems' data and initial parameters, and the parameter
  trajectory of every configuration for 100 steps on (a) an ill-conditioned quadratic and
  (b) a small tanh MLP with softmax loss, plus the L-BFGS runs on a softmax regression.

tests/optim/test_torch_reference.py rebuilds every case in chainrule and compares.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim import lr_scheduler as S

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "optim" / "fixtures"
STEPS = 100
SEED = 20240613

# (torch class, options, lr on the quadratic, lr on the MLP)
OPTIMIZER_GRID = {
    "SGD": ([
        {}, {"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.1},
        {"momentum": 0.9, "nesterov": True}, {"weight_decay": 0.01},
        {"momentum": 0.9, "weight_decay": 0.01},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        {"momentum": 0.5, "dampening": 0.5, "weight_decay": 0.01},
    ], 0.1, 0.1),
    "Adagrad": ([
        {}, {"lr_decay": 0.01}, {"weight_decay": 0.01}, {"initial_accumulator_value": 0.1},
        {"eps": 1e-3, "lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.5},
    ], 0.5, 0.1),
    "RMSprop": ([
        {}, {"momentum": 0.9}, {"centered": True}, {"centered": True, "momentum": 0.9},
        {"weight_decay": 0.01}, {"alpha": 0.9, "eps": 1e-6},
    ], 0.01, 0.005),
    "Adam": ([
        {}, {"amsgrad": True}, {"weight_decay": 0.01}, {"betas": [0.8, 0.99]},
        {"amsgrad": True, "weight_decay": 0.01, "eps": 1e-6}, {"betas": [0.3, 0.6]},
    ], 0.05, 0.01),
    "AdamW": ([
        {}, {"amsgrad": True}, {"weight_decay": 0.1},
    ], 0.05, 0.01),
}

LBFGS_VARIANTS = [
    {"lr": 1.0, "max_iter": 20},
    {"lr": 0.5, "max_iter": 10, "history_size": 4},
    {"lr": 1.0, "max_iter": 20, "line_search_fn": "strong_wolfe"},
    {"lr": 1.0, "max_iter": 10, "history_size": 4, "line_search_fn": "strong_wolfe"},
]
LBFGS_STEPS = 5
LBFGS_L2 = 0.01

# named multiplicative factors for LambdaLR (the test defines the same names)
LAMBDAS = {
    "exp_0.95": lambda t: 0.95**t,
    "inverse_sqrt": lambda t: 1.0 / math.sqrt(t + 1),
    "inverse_sqrt_warmup_10": lambda t: min((t + 1) / 10, math.sqrt(10 / (t + 1))),
}

SCHEDULE_STEPS = 120
SCHEDULE_BASE_LRS = [0.1, 0.03]
SCHEDULES = {
    "step": {"class": "StepLR", "kwargs": {"step_size": 30, "gamma": 0.1}},
    "step_half": {"class": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}},
    "multistep": {"class": "MultiStepLR", "kwargs": {"milestones": [30, 60, 90], "gamma": 0.1}},
    "multistep_repeat": {"class": "MultiStepLR",
                         "kwargs": {"milestones": [10, 10, 50], "gamma": 0.5}},
    "constant": {"class": "ConstantLR", "kwargs": {"factor": 0.25, "total_iters": 8}},
    "linear_warmup": {"class": "LinearLR",
                      "kwargs": {"start_factor": 0.001, "end_factor": 1.0, "total_iters": 20}},
    "linear_decay": {"class": "LinearLR",
                     "kwargs": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 100}},
    "exponential": {"class": "ExponentialLR", "kwargs": {"gamma": 0.97}},
    "cosine": {"class": "CosineAnnealingLR", "kwargs": {"T_max": 100}},
    "cosine_restart_region": {"class": "CosineAnnealingLR",
                              "kwargs": {"T_max": 40, "eta_min": 0.001}},
    "lambda_exp": {"class": "LambdaLR", "kwargs": {"lr_lambda": "exp_0.95"}},
    "lambda_inverse_sqrt": {"class": "LambdaLR", "kwargs": {"lr_lambda": "inverse_sqrt"}},
    "lambda_inverse_sqrt_warmup": {"class": "LambdaLR",
                                   "kwargs": {"lr_lambda": "inverse_sqrt_warmup_10"}},
    "warmup_cosine": {"class": "SequentialLR", "milestones": [10], "schedulers": [
        {"class": "LinearLR", "kwargs": {"start_factor": 0.001, "end_factor": 1.0,
                                         "total_iters": 10}},
        {"class": "CosineAnnealingLR", "kwargs": {"T_max": 110}}]},
    "warmup_linear_decay": {"class": "SequentialLR", "milestones": [5], "schedulers": [
        {"class": "LinearLR", "kwargs": {"start_factor": 0.01, "end_factor": 1.0,
                                         "total_iters": 5}},
        {"class": "LinearLR", "kwargs": {"start_factor": 1.0, "end_factor": 0.0,
                                         "total_iters": 115}}]},
    "constant_then_exponential_then_step": {
        "class": "SequentialLR", "milestones": [5, 40], "schedulers": [
            {"class": "ConstantLR", "kwargs": {"factor": 0.1, "total_iters": 5}},
            {"class": "ExponentialLR", "kwargs": {"gamma": 0.9}},
            {"class": "StepLR", "kwargs": {"step_size": 20, "gamma": 0.5}}]},
}


# ---------------------------------------------------------------------- problems
def make_problems(rng):
    """An ill-conditioned quadratic, a tanh MLP's data and weights, a softmax regression."""
    n = 10
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.logspace(-2, 0, n)                    # condition number 100
    a_matrix = (basis * eigenvalues) @ basis.T
    a_matrix = (a_matrix + a_matrix.T) / 2
    data = {
        "quadratic_A": a_matrix, "quadratic_b": rng.standard_normal(n),
        "quadratic_w0": rng.standard_normal(n),
    }
    n_samples, d, h, c = 24, 4, 5, 3
    data.update(
        mlp_x=rng.standard_normal((n_samples, d)), mlp_y=rng.integers(0, c, n_samples),
        mlp_w1=rng.standard_normal((d, h)) * 0.7, mlp_b1=rng.standard_normal(h) * 0.1,
        mlp_w2=rng.standard_normal((h, c)) * 0.7, mlp_b2=rng.standard_normal(c) * 0.1,
    )
    n_samples, d, c = 60, 6, 3
    centers = rng.standard_normal((c, d)) * 1.5
    labels = rng.integers(0, c, n_samples)
    data.update(
        softmax_x=centers[labels] + rng.standard_normal((n_samples, d)), softmax_y=labels,
        softmax_w0=rng.standard_normal((d, c)) * 0.01, softmax_b0=np.zeros(c),
    )
    return data


def torch_optimizer(name, params, lr, options):
    options = dict(options)
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    return getattr(torch.optim, name)(params, lr=lr, foreach=False, **options)


def quadratic_trajectory(data, name, lr, options):
    a_matrix = torch.tensor(data["quadratic_A"])
    b = torch.tensor(data["quadratic_b"])
    w = torch.nn.Parameter(torch.tensor(data["quadratic_w0"]))
    optimizer = torch_optimizer(name, [w], lr, options)
    path = [w.detach().numpy().copy()]
    for _ in range(STEPS):
        optimizer.zero_grad()
        with torch.no_grad():
            w.grad = a_matrix @ w - b                       # f = w^T A w / 2 - b^T w
        optimizer.step()
        path.append(w.detach().numpy().copy())
    return np.stack(path)


def mlp_trajectory(data, name, lr, options):
    # torch.nn.Linear keeps weight as (out, in); chainrule's Linear as (in, out): transpose
    w1 = torch.nn.Parameter(torch.tensor(data["mlp_w1"].T.copy()))
    b1 = torch.nn.Parameter(torch.tensor(data["mlp_b1"]))
    w2 = torch.nn.Parameter(torch.tensor(data["mlp_w2"].T.copy()))
    b2 = torch.nn.Parameter(torch.tensor(data["mlp_b2"]))
    x, y = torch.tensor(data["mlp_x"]), torch.tensor(data["mlp_y"])
    optimizer = torch_optimizer(name, [w1, b1, w2, b2], lr, options)

    def flat():  # in chainrule's layout and order: W1 (in, out), b1, W2 (in, out), b2
        return np.concatenate([w1.detach().numpy().T.ravel(), b1.detach().numpy(),
                               w2.detach().numpy().T.ravel(), b2.detach().numpy()])

    path = [flat()]
    for _ in range(STEPS):
        optimizer.zero_grad()
        scores = F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2)
        F.cross_entropy(scores, y).backward()
        optimizer.step()
        path.append(flat())
    return np.stack(path)


def lbfgs_run(data, options):
    x, y = torch.tensor(data["softmax_x"]), torch.tensor(data["softmax_y"])
    w = torch.nn.Parameter(torch.tensor(data["softmax_w0"]))
    b = torch.nn.Parameter(torch.tensor(data["softmax_b0"]))
    optimizer = torch.optim.LBFGS([w, b], **options)

    def loss_fn():
        return F.cross_entropy(x @ w + b, y) + LBFGS_L2 * (w * w).sum()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(LBFGS_STEPS)]
    with torch.no_grad():
        final = float(loss_fn())
    state = optimizer.state[w]
    return {"losses": losses, "final_loss": final, "func_evals": int(state["func_evals"]),
            "n_iter": int(state["n_iter"])}, w.detach().numpy().copy(), b.detach().numpy().copy()


# ---------------------------------------------------------------------- schedules
def build_scheduler(optimizer, spec):
    cls = getattr(S, spec["class"])
    if spec["class"] == "SequentialLR":
        inner = [build_scheduler(optimizer, s) for s in spec["schedulers"]]
        return cls(optimizer, inner, milestones=spec["milestones"])
    kwargs = dict(spec["kwargs"])
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = LAMBDAS[kwargs["lr_lambda"]]
    return cls(optimizer, **kwargs)


def schedule_sequence(spec):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], "lr": lr}
              for lr in SCHEDULE_BASE_LRS]
    optimizer = torch.optim.SGD(groups, lr=SCHEDULE_BASE_LRS[0])
    scheduler = build_scheduler(optimizer, spec)
    rates = []
    for _ in range(SCHEDULE_STEPS):
        rates.append([float(lr) for lr in scheduler.get_last_lr()])
        optimizer.step()
        scheduler.step()
    return rates


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(SEED)
    data = make_problems(rng)
    arrays = dict(data)
    configs = []
    for name, (grid, lr_quadratic, lr_mlp) in OPTIMIZER_GRID.items():
        for index, options in enumerate(grid):
            key = f"{name}_{index}"
            configs.append({"key": key, "torch_class": name, "options": options,
                            "lr_quadratic": lr_quadratic, "lr_mlp": lr_mlp})
            arrays[f"quadratic__{key}"] = quadratic_trajectory(data, name, lr_quadratic, options)
            arrays[f"mlp__{key}"] = mlp_trajectory(data, name, lr_mlp, options)
            for problem in ("quadratic", "mlp"):
                if not np.all(np.isfinite(arrays[f"{problem}__{key}"])):
                    raise RuntimeError(f"{key} diverged on the {problem}")
    lbfgs = []
    for index, options in enumerate(LBFGS_VARIANTS):
        result, w, b = lbfgs_run(data, options)
        lbfgs.append({"key": f"LBFGS_{index}", "options": options, **result})
        arrays[f"lbfgs__LBFGS_{index}__w"], arrays[f"lbfgs__LBFGS_{index}__b"] = w, b
    schedules = {name: {"spec": spec, "lrs": schedule_sequence(spec)}
                 for name, spec in SCHEDULES.items()}
    meta = {
        "torch_version": torch.__version__, "steps": STEPS, "seed": SEED,
        "optimizers": configs,
        "lbfgs": {"steps": LBFGS_STEPS, "l2": LBFGS_L2, "variants": lbfgs},
        "schedules": {"steps": SCHEDULE_STEPS, "base_lrs": SCHEDULE_BASE_LRS,
                      "sequences": schedules},
    }
    FIXTURES.mkdir(parents=True, exist_ok=True)
    # write to temporary files, then rename: an interrupted run leaves the old fixtures intact
    partial_npz = FIXTURES / "torch_optim.partial.npz"
    partial_json = FIXTURES / "torch_optim.json.partial"
    np.savez_compressed(partial_npz, **arrays)
    partial_json.write_text(json.dumps(meta, indent=1) + "\n")
    partial_npz.replace(FIXTURES / "torch_optim.npz")
    partial_json.replace(FIXTURES / "torch_optim.json")
    size = sum(p.stat().st_size for p in FIXTURES.glob("torch_optim.*"))
    print(f"wrote {len(configs)} optimizer configurations x 2 problems, {len(lbfgs)} L-BFGS "
          f"runs, {len(schedules)} schedules to {FIXTURES} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
