"""Data losses of the linear classifier: the multiclass SVM (hinge) loss and the softmax
(cross-entropy) loss, each one fused, vectorized graph node."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from .module import Module

REDUCTIONS = ("mean", "sum", "none")


def check_scores_and_labels(where, scores, labels):
    """Validate a (N, C) score matrix and N integer labels in [0, C); return labels as int64.

    Raises ValueError (shapes, empty batch, labels out of range, NaN/inf scores) or TypeError
    (non-integer labels), naming ``where``.
    """
    if scores.ndim != 2:
        raise ValueError(f"{where}: scores must have shape (N, C), got shape {scores.shape}")
    n, c = scores.shape
    if n == 0:
        raise ValueError(f"{where}: empty batch (scores of shape {scores.shape})")
    if isinstance(labels, Tensor):
        labels = labels.data
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{where}: labels must be integers, got a string")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind == "f" and labels.size and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise TypeError(f"{where}: labels must be integers, got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"{where}: expected {n} labels (shape ({n},)) for scores of shape "
                         f"{scores.shape}, got shape {labels.shape}")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= c:
        bad = low if low < 0 else high
        raise ValueError(f"{where}: labels must be in [0, {c}) for {c} classes, got {bad}")
    if not np.isfinite(scores).all():
        raise ValueError(f"{where}: scores contain NaN or inf (has training diverged? "
                         "try a lower learning rate)")
    return labels


def _reduce(losses, reduction):
    """The per-example losses summed or averaged, accumulated in float64 and returned as a
    float64 scalar whatever their dtype (the per-example losses keep theirs).

    A float32 sum of 60,000 losses is off by several units in its last place, and even the
    correctly rounded float32 mean cannot tell two points apart whose losses differ by less
    than 3e-8 (one unit in the last place at 0.5): near an optimum, that is more than a line
    search's expected decrease (L-BFGS stopped 2.7e-6 above the optimum). The scalar costs
    nothing more in float64; the gradients stay in the scores' dtype."""
    if reduction == "mean":
        return np.asarray(losses.sum(dtype=np.float64) / losses.shape[0])
    if reduction == "sum":
        return np.asarray(losses.sum(dtype=np.float64))
    return losses


def _upstream(grad_out, reduction, n):
    """How much each example's loss is weighted by: dL/dL_i."""
    if reduction == "mean":
        return grad_out / n
    if reduction == "sum":
        return grad_out
    return grad_out[:, None]


class MulticlassSVMFunction(Function):
    """Multiclass SVM loss (Weston & Watkins 1999), the course's hinge loss:

        L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)

    dL_i/ds_j = 1[s_j - s_{y_i} + margin > 0] for j != y_i, and dL_i/ds_{y_i} = -(number of
    classes with positive margin).
    """

    @staticmethod
    def forward(ctx, scores, labels, margin=1.0, reduction="mean"):
        n = scores.shape[0]
        rows = np.arange(n)
        correct = scores[rows, labels][:, None]
        margins = scores - correct + scores.dtype.type(margin)
        margins[rows, labels] = 0
        positive = margins > 0
        losses = np.where(positive, margins, 0).sum(axis=1).astype(scores.dtype, copy=False)
        ctx.save_for_backward(positive, labels, reduction, scores.dtype)
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad_out):
        positive, labels, reduction, dtype = ctx.saved
        n = positive.shape[0]
        grad = positive.astype(dtype)
        grad[np.arange(n), labels] = -positive.sum(axis=1)
        grad *= _upstream(grad_out, reduction, n)
        return grad, None


class SoftmaxCrossEntropyFunction(Function):
    """Softmax classifier loss (cross-entropy of the softmax probabilities):

        p_j = e^{s_j} / sum_k e^{s_k},   L_i = -log p_{y_i} = -s_{y_i} + log sum_k e^{s_k}

    computed after shifting each row by its max (same value, no overflow). The gradient is
    dL_i/ds_j = p_j - 1[j = y_i]: "probabilities minus one-hot".
    """

    @staticmethod
    def forward(ctx, scores, labels, reduction="mean"):
        n = scores.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        log_sum_exp = np.log(sum_exp)
        losses = log_sum_exp[:, 0] - shifted[np.arange(n), labels]
        exp /= sum_exp  # now the probabilities
        ctx.save_for_backward(exp, labels, reduction)
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad_out):
        probs, labels, reduction = ctx.saved
        n = probs.shape[0]
        grad = probs.copy()
        grad[np.arange(n), labels] -= 1
        grad *= _upstream(grad_out, reduction, n)
        return grad, None


def _scores_tensor(scores):
    return scores if isinstance(scores, Tensor) else Tensor(scores)


def multiclass_svm_loss(scores, labels, margin=1.0, reduction="mean"):
    """Functional form of `MulticlassSVMLoss`."""
    scores = _scores_tensor(scores)
    labels = check_scores_and_labels("MulticlassSVMLoss", scores.data, labels)
    return MulticlassSVMFunction.apply(scores, labels, margin=margin, reduction=reduction)


def softmax_cross_entropy(scores, labels, reduction="mean"):
    """Functional form of `SoftmaxCrossEntropyLoss`."""
    scores = _scores_tensor(scores)
    labels = check_scores_and_labels("SoftmaxCrossEntropyLoss", scores.data, labels)
    return SoftmaxCrossEntropyFunction.apply(scores, labels, reduction=reduction)


def softmax(scores, axis=-1):
    """Probabilities from scores (a plain array: for prediction, no gradient)."""
    scores = np.asarray(getattr(scores, "data", scores))
    shifted = scores - scores.max(axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=axis, keepdims=True)


def _check_reduction(where, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


class MulticlassSVMLoss(Module):
    """Multiclass SVM (hinge) loss, averaged over the batch: ``loss(scores, labels)``.

    L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin). It is satisfied (zero) once the correct
    score beats every other by ``margin``; scaling W up keeps a zero loss at zero, which is why
    the loss needs a regularizer to choose among the W that achieve it.

    Parameters
    ----------
    margin : float
        Delta in the formula (1.0 in the course; its scale trades off against the regularizer).
    reduction : {"mean", "sum", "none"}
    """

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__()
        if not np.isfinite(margin) or margin < 0:
            raise ValueError(f"MulticlassSVMLoss: margin must be finite and >= 0, got {margin}")
        _check_reduction("MulticlassSVMLoss", reduction)
        self.margin, self.reduction = float(margin), reduction

    def forward(self, scores, labels):
        return multiclass_svm_loss(scores, labels, self.margin, self.reduction)

    def extra_repr(self):
        return f"margin={self.margin}"


class SoftmaxCrossEntropyLoss(Module):
    """Softmax cross-entropy loss, averaged over the batch: ``loss(scores, labels)``.

    L_i = -log(e^{s_{y_i}} / sum_j e^{s_j}); never exactly zero (it always wants more margin).
    At initialization with small weights it is about log(C) (2.303 for 10 classes), a sanity
    check the course recommends.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction("SoftmaxCrossEntropyLoss", reduction)
        self.reduction = reduction

    def forward(self, scores, labels):
        return softmax_cross_entropy(scores, labels, self.reduction)


LOSSES = {"softmax": SoftmaxCrossEntropyLoss, "svm": MulticlassSVMLoss}
