import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.nn import functional as F

COURSE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
COURSE_LABELS = np.array([0, 1, 2])  # cat, car, frog


def test_svm_loss_course_numbers():
    per_example = nn.MulticlassSVMLoss(reduction="none")(COURSE_SCORES, COURSE_LABELS)
    np.testing.assert_allclose(per_example.data, [2.9, 0.0, 12.9], atol=1e-12)
    mean = nn.MulticlassSVMLoss()(COURSE_SCORES, COURSE_LABELS).item()
    assert round(mean, 2) == 5.27
    doubled = nn.MulticlassSVMLoss(reduction="none")(2 * COURSE_SCORES, COURSE_LABELS)
    assert doubled.data[1] == 0.0  # the zero loss stays zero when W (and so s) doubles


def test_softmax_loss_course_numbers_and_stability():
    # the course's softmax example: scores (3.2, 5.1, -1.7) for a cat give L = 2.04
    loss = nn.SoftmaxCrossEntropyLoss()(COURSE_SCORES[:1], [0]).item()
    assert loss == pytest.approx(2.0404, abs=1e-4)
    huge = np.array([[1000.0, 0.0, -1000.0]])
    assert nn.SoftmaxCrossEntropyLoss()(huge, [0]).item() == pytest.approx(0.0)
    assert nn.SoftmaxCrossEntropyLoss()(huge, [2]).item() == pytest.approx(2000.0)
    small = np.zeros((5, 10))
    assert nn.SoftmaxCrossEntropyLoss()(small, np.arange(5)).item() == pytest.approx(np.log(10))


def test_softmax_gradient_is_probabilities_minus_onehot_over_n():
    s = cr.tensor(COURSE_SCORES, requires_grad=True)
    nn.SoftmaxCrossEntropyLoss()(s, COURSE_LABELS).backward()
    expected = (F.softmax(COURSE_SCORES) - np.eye(3)[COURSE_LABELS]) / 3
    np.testing.assert_allclose(s.grad, expected, rtol=1e-12)


@pytest.mark.parametrize("loss", [nn.MulticlassSVMLoss(), nn.SoftmaxCrossEntropyLoss()])
def test_loss_bad_input(loss):
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        loss(COURSE_SCORES, [0, 1, 3])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        loss(COURSE_SCORES, [-1, 1, 2])
    with pytest.raises(ValueError, match="NaN or inf"):
        loss(np.array([[np.nan, 1.0, 2.0]]), [0])
    with pytest.raises(ValueError, match="empty batch"):
        loss(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"expected 3 labels"):
        loss(COURSE_SCORES, [0, 1])
    with pytest.raises(TypeError, match="integers"):
        loss(COURSE_SCORES, np.array([0.5, 1.0, 2.0]))
    with pytest.raises(TypeError, match="integers"):
        loss(COURSE_SCORES, "abc")
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        loss(np.zeros(3), [0])


def test_linear_layer_shapes_init_and_errors():
    layer = nn.Linear(784, 10, rng=0)
    assert layer.weight.shape == (784, 10) and layer.bias.shape == (10,)
    assert layer.weight.dtype == np.float32
    # He initialization: std sqrt(2 / fan_in)
    assert layer.weight.data.std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)
    assert np.array_equal(nn.Linear(784, 10, rng=0).weight.data, layer.weight.data)
    with pytest.raises(ValueError, match=r"Linear\(in_features=784.*expected input of shape \(N, 784\), got shape \(2, 100\)"):
        layer(np.zeros((2, 100), dtype=np.float32))
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 3)
    small = nn.Linear(500, 200, init="small", rng=1)
    assert small.weight.data.std() == pytest.approx(0.01, rel=0.05)
    xavier = nn.Linear(500, 300, init="xavier", rng=1)
    assert xavier.weight.data.std() == pytest.approx(np.sqrt(2 / 800), rel=0.05)
    with pytest.raises(ValueError, match="unknown initializer"):
        nn.Linear(3, 3, init="magic")


def test_linear_backward_skips_input_gradient_when_not_needed():
    layer = nn.Linear(3, 2, rng=0)
    x = cr.tensor(np.ones((4, 3), dtype=np.float32))
    out = layer(x)
    assert out.creator.needs_input_grad == (False, True, True)
    out.sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(layer.bias.grad, [4, 4])
    np.testing.assert_allclose(layer.weight.grad, np.full((3, 2), 4.0))


def test_module_registration_state_dict_and_modes():
    model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=0),
                          nn.Maxout(8, 3, pieces=2, rng=1))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "3.linear.weight", "3.linear.bias"]
    assert model.num_parameters() == 4 * 8 + 8 + 8 * 6 + 6
    state = model.state_dict()
    clone = nn.Sequential(nn.Linear(4, 8, rng=5), nn.ReLU(), nn.Dropout(0.5),
                          nn.Maxout(8, 3, pieces=2, rng=6))
    clone.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    model.eval()
    clone.eval()
    np.testing.assert_array_equal(model(x).data, clone(x).data)
    assert not model[2].training
    model.train()
    assert model[2].training
    with pytest.raises(KeyError, match="missing keys"):
        clone.load_state_dict({"0.weight": state["0.weight"]})
    bad = dict(state)
    bad["0.bias"] = np.zeros(9)
    with pytest.raises(ValueError, match=r"0.bias has shape \(8,\)"):
        clone.load_state_dict(bad)
    assert "Linear(in_features=4, out_features=8, bias=True)" in repr(model)
    assert "Dropout(p=0.5)" in repr(model)


def test_model_cast_and_zero_grad():
    model = nn.Sequential(nn.Linear(3, 2, rng=0))
    model.to(np.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())
    out = model(np.ones((1, 3)))
    out.sum().backward()
    assert model[0].weight.grad is not None
    model.zero_grad()
    assert model[0].weight.grad is None
    with pytest.raises(TypeError):
        model.to(np.int32)


def test_dropout_is_inverted_and_identity_in_eval():
    drop = nn.Dropout(0.25, rng=0)
    x = np.ones((200, 100), dtype=np.float32)
    out = drop(x).data
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        nn.Dropout(1.0)


def test_activations_values():
    x = np.array([-2.0, -0.5, 0.0, 1.5])
    np.testing.assert_allclose(F.relu(x).data, [0, 0, 0, 1.5])
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, [-0.2, -0.05, 0, 1.5])
    np.testing.assert_allclose(F.elu(x).data, [np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 1.5])
    np.testing.assert_allclose(F.sigmoid(x).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(F.tanh(x).data, np.tanh(x))
    with np.errstate(over="raise"):
        assert F.sigmoid(np.array([-1000.0, 1000.0])).data.tolist() == [0.0, 1.0]
    maxout = nn.Maxout(2, 1, pieces=2, rng=0)
    maxout.linear.weight.data[...] = [[1, -1], [0, 0]]
    maxout.linear.bias.data[...] = 0
    np.testing.assert_allclose(maxout(np.array([[2.0, 0.0], [-3.0, 1.0]])).data, [[2], [3]])


def test_regularizers_penalize_weights_not_biases():
    model = nn.Sequential(nn.Linear(2, 2, rng=0))
    model[0].weight.data[...] = [[1.0, -2.0], [0.5, 0.0]]
    model[0].bias.data[...] = [10.0, 10.0]
    w = model[0].weight.data.astype(np.float64)
    assert nn.L2(0.1)(model).item() == pytest.approx(0.1 * np.sum(w ** 2))
    assert nn.L1(0.1)(model).item() == pytest.approx(0.1 * np.sum(np.abs(w)))
    assert nn.ElasticNet(0.1, beta=0.5)(model).item() == pytest.approx(
        0.1 * np.sum(0.5 * w ** 2 + np.abs(w)))
    nn.L2(0.1)(model).backward()
    np.testing.assert_allclose(model[0].weight.grad, 0.2 * w)
    assert model[0].bias.grad is None
    with pytest.raises(ValueError, match="strength must be finite and >= 0"):
        nn.L2(-1.0)
    with pytest.raises(ValueError, match="unknown regularization"):
        nn.get_regularizer("l3", 0.1)


def test_dead_unit_fractions():
    layer = nn.Linear(3, 4, rng=0)
    layer.weight.data[...] = 0
    layer.bias.data[...] = [-1.0, 1.0, -1.0, 1.0]  # units 0 and 2 never fire
    model = nn.Sequential(layer, nn.ReLU(), nn.Linear(4, 2, rng=1), nn.LeakyReLU())
    x = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    fractions = nn.dead_unit_fractions(model, x)
    assert fractions["1"] == 0.5
    assert set(fractions) == {"1", "3"}
    assert model.training  # restored
    assert all(not m._forward_hooks for m in model.modules())  # hooks removed


@pytest.mark.parametrize("cls, reduction", [(nn.SoftmaxCrossEntropyLoss, "mean"),
                                            (nn.MulticlassSVMLoss, "mean"),
                                            (nn.SoftmaxCrossEntropyLoss, "sum")])
def test_reduced_loss_is_a_float64_scalar_and_gradients_keep_float32(cls, reduction):
    loss_fn = cls(reduction=reduction)
    rng = np.random.default_rng(0)
    scores = cr.tensor(rng.standard_normal((1000, 10)).astype(np.float32) * 3,
                       requires_grad=True)
    labels = rng.integers(0, 10, 1000)
    weight = nn.Parameter(rng.standard_normal((5, 3)).astype(np.float32))
    layer = nn.Linear(5, 3, rng=0)
    layer.weight = weight
    data_loss, penalty = loss_fn(scores, labels), nn.L2(1e-2)(layer)
    loss = data_loss + penalty
    for value in (data_loss, penalty, loss):
        assert value.data.dtype == np.float64 and value.shape == ()
    per_example = cls(reduction="none")(scores, labels).data
    assert per_example.dtype == np.float32
    reduce = np.mean if reduction == "mean" else np.sum
    # the float64 sum of the float32 per-example losses, rounded once
    assert data_loss.item() == pytest.approx(reduce(per_example.astype(np.float64)),
                                             rel=1e-15, abs=0)
    # the penalty's sum of squares is a float32 BLAS dot product (one pass, on the hot path)
    assert penalty.item() == pytest.approx(1e-2 * np.sum(weight.data.astype(np.float64) ** 2),
                                           rel=1e-6)
    loss.backward()
    assert scores.grad.dtype == np.float32 and weight.grad.dtype == np.float32
