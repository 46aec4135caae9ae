"""Schedules: the closed forms, the factory, the batch-size rule and bad input."""

import json

import numpy as np
import pytest

from chainrule.nn import Parameter
from chainrule.optim import SGD, get_scheduler, scale_lr_for_batch_size
from chainrule.optim import lr_scheduler as S
from chainrule.optim import schedules as F


def make_optimizer(lr=0.1):
    return SGD([Parameter(np.zeros(1))], lr=lr)


def run(scheduler, optimizer, steps):
    rates = []
    for _ in range(steps):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize("make, formula", [
    (lambda o: S.StepLR(o, 7, gamma=0.5), lambda t: F.step_lr(t, 0.1, 7, 0.5)),
    (lambda o: S.MultiStepLR(o, [30, 60, 90]), lambda t: F.multistep_lr(t, 0.1, [30, 60, 90])),
    (lambda o: S.CosineAnnealingLR(o, T_max=120, eta_min=1e-3),
     lambda t: F.cosine_lr(t, 0.1, 120, eta_min=1e-3)),
    (lambda o: S.LinearLR(o, 1.0, 0.0, total_iters=100), lambda t: F.linear_lr(t, 0.1, 100)),
    (lambda o: S.LinearLR(o, 1e-3, 1.0, total_iters=20),
     lambda t: F.linear_lr(t, 0.1, 20, start_factor=1e-3, end_factor=1.0)),
    (lambda o: S.InverseSqrtLR(o, warmup_steps=8), lambda t: F.inverse_sqrt_lr(t, 0.1, 8)),
])
def test_scheduler_classes_follow_their_closed_forms(make, formula):
    optimizer = make_optimizer()
    rates = run(make(optimizer), optimizer, 121)
    np.testing.assert_allclose(rates, [formula(t) for t in range(121)], rtol=1e-12, atol=1e-15)


def test_closed_forms_have_the_course_values():
    assert F.cosine_lr(0, 0.1, 50) == 0.1
    assert F.cosine_lr(25, 0.1, 50) == pytest.approx(0.05, rel=1e-12)
    assert F.cosine_lr(50, 0.1, 50) == pytest.approx(0.0, abs=1e-15)
    assert F.linear_lr(30, 0.1, 120) == pytest.approx(0.1 * (1 - 30 / 120), rel=1e-12)
    assert [F.multistep_lr(t, 1.0, [30, 60, 90]) for t in (29, 30, 60, 95)] == pytest.approx(
        [1.0, 0.1, 0.01, 0.001], rel=1e-12)
    assert F.inverse_sqrt_lr(99, 0.1) == pytest.approx(0.01, rel=1e-12)
    warm = [F.inverse_sqrt_factor(t, 4) for t in range(8)]
    assert warm[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert warm[7] == pytest.approx(np.sqrt(4 / 8))
    with pytest.raises(ValueError, match="step t"):
        F.cosine_lr(-1, 0.1, 10)


def test_batch_size_rule_scales_linearly():
    assert scale_lr_for_batch_size(0.1, batch_size=1024) == pytest.approx(0.4)
    assert scale_lr_for_batch_size(0.1, 32) == pytest.approx(0.1 * 32 / 256)
    assert scale_lr_for_batch_size(0.05, 64, base_batch_size=128) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="batch_size"):
        scale_lr_for_batch_size(0.1, 0)
    with pytest.raises(ValueError, match="base_lr"):
        scale_lr_for_batch_size(-0.1, 64)


def test_scheduler_sets_lr_and_initial_lr_like_pytorch():
    optimizer = make_optimizer(0.2)
    S.LinearLR(optimizer, start_factor=0.5, total_iters=4)
    group = optimizer.param_groups[0]
    assert group["initial_lr"] == 0.2 and group["lr"] == pytest.approx(0.1)


def test_get_scheduler_constant_and_decays_end_where_they_should():
    total = 50
    optimizer = make_optimizer()
    np.testing.assert_array_equal(run(get_scheduler("constant", optimizer, total), optimizer,
                                      total), 0.1)
    for name in ("cosine", "linear"):
        optimizer = make_optimizer()
        rates = run(get_scheduler(name, optimizer, total), optimizer, total + 1)
        assert rates[0] == pytest.approx(0.1) and rates[total] == pytest.approx(0.0, abs=1e-15)
        assert np.all(np.diff(rates) <= 1e-15)
    optimizer = make_optimizer()
    rates = run(get_scheduler("step", optimizer, 90), optimizer, 90)
    assert sorted(set(np.round(rates, 12))) == pytest.approx([0.001, 0.01, 0.1])  # x0.1 twice


def test_get_scheduler_warmup_then_cosine():
    total, warmup = 40, 10
    optimizer = make_optimizer()
    scheduler = get_scheduler("cosine", optimizer, total, warmup_steps=warmup)
    assert isinstance(scheduler, S.SequentialLR)
    rates = run(scheduler, optimizer, total + 1)
    expected_warmup = [0.1 * (1e-3 + (1 - 1e-3) * t / warmup) for t in range(warmup)]
    np.testing.assert_allclose(rates[:warmup], expected_warmup, rtol=1e-12)
    expected_decay = [F.cosine_lr(t, 0.1, total - warmup) for t in range(total - warmup + 1)]
    np.testing.assert_allclose(rates[warmup:], expected_decay, rtol=1e-12, atol=1e-15)
    assert rates.max() == pytest.approx(0.1)


def test_get_scheduler_inverse_sqrt_uses_its_own_warmup():
    optimizer = make_optimizer()
    scheduler = get_scheduler("inverse-sqrt", optimizer, 100, warmup_steps=16)
    rates = run(scheduler, optimizer, 100)
    np.testing.assert_allclose(rates, [F.inverse_sqrt_lr(t, 0.1, 16) for t in range(100)],
                               rtol=1e-12)
    assert np.argmax(rates) == 15


@pytest.mark.parametrize("args, kwargs, match", [
    (("cosine",), dict(total_steps=0), "total_steps"),
    (("cosine",), dict(total_steps=10, warmup_steps=10), "warmup_steps"),
    (("cosine",), dict(total_steps=10, warmup_steps=-1), "warmup_steps"),
    (("exotic",), dict(total_steps=10), "unknown schedule 'exotic'"),
])
def test_get_scheduler_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        get_scheduler(*args, make_optimizer(), **kwargs)


@pytest.mark.parametrize("make, match", [
    (lambda o: S.StepLR(o, step_size=0), "step_size"),
    (lambda o: S.StepLR(o, step_size=3, gamma=-0.1), "gamma"),
    (lambda o: S.MultiStepLR(o, [60, 30]), "increasing"),
    (lambda o: S.LinearLR(o, start_factor=0.0), "start_factor"),
    (lambda o: S.LinearLR(o, end_factor=1.5), "end_factor"),
    (lambda o: S.ConstantLR(o, factor=2.0), "factor"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "T_max"),
    (lambda o: S.InverseSqrtLR(o, warmup_steps=-3), "warmup_steps"),
    (lambda o: S.LambdaLR(o, [lambda t: 1.0, lambda t: 1.0]), "lr_lambdas"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 3), S.StepLR(o, 3)], milestones=[]),
     "milestone"),
    (lambda o: S.SequentialLR(o, [S.StepLR(make_optimizer(), 3)], milestones=[]),
     "another optimizer"),
])
def test_schedulers_reject_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make(make_optimizer())


def test_scheduler_needs_a_chainrule_optimizer():
    with pytest.raises(TypeError, match="Optimizer"):
        S.StepLR(object(), step_size=3)


def test_scheduler_state_dict_is_plain_json_and_round_trips():
    optimizer = make_optimizer()
    scheduler = get_scheduler("cosine", optimizer, 30, warmup_steps=5)
    run(scheduler, optimizer, 12)
    state = scheduler.state_dict()
    assert json.loads(json.dumps(state)) == state
    with pytest.raises(ValueError, match="schedulers"):
        scheduler.load_state_dict({key: value for key, value in state.items()
                                   if key != "_schedulers"})
    other = make_optimizer()
    plain = S.StepLR(other, 3)
    with pytest.raises(KeyError, match="last_epoch"):
        plain.load_state_dict({"base_lrs": [0.1]})


def test_step_with_an_epoch_jumps_with_the_closed_form():
    optimizer = make_optimizer()
    scheduler = S.StepLR(optimizer, step_size=10, gamma=0.5)
    scheduler.step(35)
    assert scheduler.get_last_lr() == pytest.approx([0.1 * 0.5**3])
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0125)
    cosine_optimizer = make_optimizer()
    cosine = S.CosineAnnealingLR(cosine_optimizer, T_max=20)
    cosine.step(5)
    assert cosine.get_last_lr()[0] == pytest.approx(F.cosine_lr(5, 0.1, 20), rel=1e-12)
