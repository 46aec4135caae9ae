"""The optimization chapter's claims, checked on the teaching surfaces and a small classifier."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn import Linear, Parameter, SoftmaxCrossEntropyLoss
from chainrule.optim import SGD, Adam, RandomSearch, RMSProp, surfaces
from chainrule.optim.lr_scheduler import StepLR


def first_step_below(losses, threshold):
    below = np.nonzero(losses < threshold)[0]
    return int(below[0]) if below.size else len(losses)


@pytest.mark.parametrize("lr", [0.01, 0.02])
def test_momentum_beats_sgd_on_an_ill_conditioned_quadratic(lr):
    bowl = surfaces.IllConditionedQuadratic(condition=50.0)
    _, plain = surfaces.run_optimizer(bowl, SGD, steps=1000, lr=lr)
    _, heavy_ball = surfaces.run_optimizer(bowl, SGD, steps=1000, lr=lr, momentum=0.9)
    _, nesterov = surfaces.run_optimizer(bowl, SGD, steps=1000, lr=lr, momentum=0.9,
                                         nesterov=True)
    threshold = plain[0] * 1e-4
    steps_plain = first_step_below(plain, threshold)
    assert steps_plain < len(plain)            # SGD does get there, slowly
    assert first_step_below(heavy_ball, threshold) < steps_plain / 2
    assert first_step_below(nesterov, threshold) < steps_plain / 2


def test_sgd_lingers_at_a_saddle_point_longer_than_rmsprop_and_adam():
    saddle = surfaces.Saddle()
    start = (1.0, 1e-3)                        # on the ridge's side, tiny gradient along y
    escaped = {}
    for name, optimizer in (("sgd", SGD), ("rmsprop", RMSProp), ("adam", Adam)):
        _, losses = surfaces.run_optimizer(saddle, optimizer, start=start, steps=2000, lr=0.01)
        escaped[name] = first_step_below(losses, -0.5)
    assert escaped["sgd"] > 2 * escaped["adam"]
    assert escaped["sgd"] > 2 * escaped["rmsprop"]
    # plain GD on x^2 - y^2 multiplies y by (1 + 2 lr) per step: escaping takes ~log time
    expected = np.log(np.sqrt(0.5 + 1e-30) / 1e-3) / np.log(1 + 2 * 0.01)
    assert escaped["sgd"] == pytest.approx(expected, rel=0.05)


def quadratic_path(momentum_form, lr_schedule, nesterov=False, steps=60):
    rng = np.random.default_rng(3)
    basis, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a_matrix = (basis * np.array([0.05, 0.2, 0.6, 1.0])) @ basis.T
    w = Parameter(rng.standard_normal(4))
    optimizer = SGD([w], lr=0.3, momentum=0.8, nesterov=nesterov, momentum_form=momentum_form)
    scheduler = lr_schedule(optimizer) if lr_schedule else None
    path = [w.data.copy()]
    for _ in range(steps):
        w.grad = a_matrix @ w.data
        optimizer.step()
        if scheduler:
            scheduler.step()
        path.append(w.data.copy())
    return np.stack(path)


@pytest.mark.parametrize("nesterov", [False, True])
def test_both_momentum_forms_give_the_same_path_under_a_constant_rate(nesterov):
    pytorch_form = quadratic_path("pytorch", None, nesterov)
    velocity_form = quadratic_path("velocity", None, nesterov)
    np.testing.assert_allclose(velocity_form, pytorch_form, rtol=1e-12, atol=1e-14)
    assert np.abs(pytorch_form[-1]).max() < 0.5 * np.abs(pytorch_form[0]).max()


def test_momentum_forms_part_where_the_rate_changes():
    def schedule(optimizer):
        return StepLR(optimizer, step_size=20, gamma=0.1)   # lr drops before step 21

    pytorch_form = quadratic_path("pytorch", schedule)
    velocity_form = quadratic_path("velocity", schedule)
    np.testing.assert_allclose(velocity_form[:21], pytorch_form[:21], rtol=1e-12, atol=1e-14)
    gap = np.abs(velocity_form - pytorch_form).max(axis=1)
    assert gap[21] > 1e-3                      # the first step taken with the new rate
    # the PyTorch form rescales the whole buffer at once (v = -lr b); the velocity form still
    # carries the old, larger rate inside v, so its step right after the drop is larger
    step_pytorch = np.linalg.norm(pytorch_form[21] - pytorch_form[20])
    step_velocity = np.linalg.norm(velocity_form[21] - velocity_form[20])
    assert step_velocity > 3 * step_pytorch


@pytest.mark.parametrize("betas, expected_ratio", [((0.9, 0.999), 0.1 / np.sqrt(0.001)),
                                                   ((0.99, 0.999), 0.01 / np.sqrt(0.001))])
def test_adam_without_bias_correction_takes_a_badly_scaled_first_step(betas, expected_ratio):
    gradient = np.array([0.5, -2.0, 3e-3])
    first_steps = {}
    for corrected in (True, False):
        w = Parameter(np.zeros(3))
        optimizer = Adam([w], lr=0.01, betas=betas, eps=0.0, bias_correction=corrected)
        w.grad = gradient
        optimizer.step()
        first_steps[corrected] = -w.data
    # with bias correction the first step is lr * sign(g), whatever the gradient's size
    np.testing.assert_allclose(first_steps[True], 0.01 * np.sign(gradient), rtol=1e-8)
    np.testing.assert_allclose(first_steps[False] / first_steps[True], expected_ratio, rtol=1e-8)


def blobs(seed=0, classes=5, dims=10, n=250):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, dims))
    labels = rng.integers(0, classes, n)
    return centers[labels] + rng.standard_normal((n, dims)), labels


@pytest.mark.parametrize("mode, scale", [("local", 1e-3), ("global", 1e-1)])
def test_random_search_is_far_below_gradient_descent(mode, scale):
    x, y = blobs()
    loss_fn = SoftmaxCrossEntropyLoss()
    budget = 200                                # loss evaluations for each method

    descent = Linear(10, 5, init="small", rng=1, dtype=np.float64)
    optimizer = SGD(descent.parameters(), lr=0.5)
    for _ in range(budget):
        optimizer.zero_grad()
        loss_fn(descent(x), y).backward()
        optimizer.step()

    searched = Linear(10, 5, init="small", rng=1, dtype=np.float64)
    search = RandomSearch(searched.parameters(), scale=scale, mode=mode, seed=0)

    def closure():
        with cr.no_grad():
            return loss_fn(searched(x), y)

    start_loss = closure().item()
    while search.evaluations < budget:
        search.step(closure)
    assert search.evaluations == budget

    with cr.no_grad():
        results = {}
        for name, model in (("descent", descent), ("search", searched)):
            scores = model(x)
            results[name] = (loss_fn(scores, y).item(), float((scores.data.argmax(1) == y).mean()))
    assert results["search"][0] == pytest.approx(search.best_loss, rel=1e-12)
    assert results["search"][0] < start_loss                 # search does make progress...
    assert results["descent"][0] < results["search"][0] / 4  # ...far less than the gradient
    assert results["descent"][1] > results["search"][1] + 0.15
