"""The linear classifier: scores s = W x + b, trained with the SVM or the softmax loss.

Three ways to read it (the course's three viewpoints): algebraically, each class score is a
weighted sum of the pixels; visually, each row of W is a *template* image matched against the
input by a dot product (`LinearClassifier.templates_`); geometrically, each row is a hyperplane
through pixel space, with the scores as signed distances.
"""

from __future__ import annotations

import math
import numbers

from ..nn import Linear
from .neural import NeuralClassifier

__all__ = ["LinearClassifier", "default_image_shape"]


def default_image_shape(n_features):
    """The image shape a flat row of ``n_features`` pixels most likely came from.

    A perfect square is a grayscale square image (784 -> (28, 28)); 3072 is a 32x32 RGB image,
    channels last (CIFAR-10: (32, 32, 3)); anything else gives None.
    """
    side = math.isqrt(int(n_features))
    if side * side == n_features:
        return (side, side)
    if n_features == 32 * 32 * 3:
        return (32, 32, 3)
    return None


class LinearClassifier(NeuralClassifier):
    """Linear classifier s = x W + b (one `nn.Linear`), trained by the `Trainer`.

    The objective is the mean data loss plus the regularization loss,
    L = (1/N) sum_i L_i(s_i, y_i) + R(W), with L_i the multiclass SVM (hinge) loss
    sum_{j != y_i} max(0, s_j - s_{y_i} + 1) or the softmax (cross-entropy) loss
    -log(e^{s_{y_i}} / sum_j e^{s_j}).

    Parameters
    ----------
    loss : {"softmax", "svm"}, default="softmax"
        Softmax models have ``predict_proba``; SVM models only have scores.
    regularization : {"l2", "l1", "elasticnet"} or None, default="l2"
        R(W) on the weights (never the bias).
    strength : float, default=1e-4
        lambda of the regularizer.
    optimizer : str, default="sgd"
        One of ``chainrule.optim.OPTIMIZERS``: sgd, momentum, nesterov, adagrad, rmsprop, adam,
        adamw, lbfgs, random-search. "lbfgs" and "random-search" work on the full training
        set at every step (``epochs`` steps in all; ``batch_size`` and ``schedule`` do not
        apply to them).
    lr : float or None, default=None
        Learning rate (the step scale for random search); None takes the optimizer's usual
        value from `chainrule.classifiers.neural.DEFAULT_LR` (sgd 0.1, adam 1e-3, lbfgs 1).
    optimizer_options : dict or None
        More keyword arguments for the optimizer (``momentum``, ``betas``, ``max_iter``, ...).
    epochs : int, default=20
    batch_size : int, default=128
    schedule : {"constant", "step", "cosine", "linear", "inverse-sqrt"}, default="cosine"
        Learning-rate schedule over the whole run, stepped every iteration.
    warmup : float, default=0
        Epochs of linear learning-rate warmup before the schedule.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its accuracy has not
        improved for ``patience`` epochs, and keep the best epoch's weights.
    validation_fraction : float, default=0.1
    patience : int, default=5
    image_shape : tuple of int or None, default=None
        Shape of one input image, for ``templates_``; None: the shape of the images given to
        ``fit`` when they were not flattened, else `default_image_shape`.
    seed : int, default=0
        Seeds everything: the initial weights, the shuffling, the validation split, the search.
    verbose : int, default=0
        Progress output of the Trainer (0: silent).
    dtype : str, default="float32"
        Floating type of the weights and the computation.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features)
        W as scikit-learn lays it out: row c holds class c's weights (a view: the model's own).
    intercept_ : ndarray of shape (n_classes,)
    templates_ : ndarray of shape (n_classes, *image_shape) or None
        Each class's weights as an image: the "template" the class matches.
    model_ : chainrule.nn.Linear
        The trained layer (weight of shape (n_features, n_classes)).
    history_ : chainrule.train.History
        Loss and accuracy per epoch.
    n_iter_ : int
        Epochs trained (fewer than ``epochs`` after early stopping).
    classes_, n_features_in_
    """

    def __init__(self, loss="softmax", regularization="l2", strength=1e-4, optimizer="sgd",
                 lr=None, optimizer_options=None, epochs=20, batch_size=128, schedule="cosine",
                 warmup=0, early_stopping=False, validation_fraction=0.1, patience=5,
                 image_shape=None, seed=0, verbose=0, dtype="float32"):
        self.loss = loss
        self.regularization = regularization
        self.strength = strength
        self.optimizer = optimizer
        self.lr = lr
        self.optimizer_options = optimizer_options
        self.epochs = epochs
        self.batch_size = batch_size
        self.schedule = schedule
        self.warmup = warmup
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.image_shape = image_shape
        self.seed = seed
        self.verbose = verbose
        self.dtype = dtype

    def _build_model(self, n_features, n_classes, dtype, seed):
        if self.image_shape is not None:
            shape = self.image_shape
            valid = (isinstance(shape, (tuple, list)) and len(shape) > 0
                     and all(isinstance(s, numbers.Integral) and s > 0 for s in shape))
            if not valid or math.prod(shape) != n_features:
                raise ValueError(f"{type(self).__name__}: image_shape must be a tuple of "
                                 f"positive sizes whose product is n_features={n_features}, "
                                 f"got {shape!r}")
        # the course's initialization: W = 0.01 * randn, so the first softmax loss is ~log(C)
        return Linear(n_features, n_classes, init="small", rng=seed, dtype=dtype)

    @property
    def coef_(self):
        self._check_fitted("coef_")
        return self.model_.weight.data.T

    @property
    def intercept_(self):
        self._check_fitted("intercept_")
        return self.model_.bias.data

    @property
    def templates_(self):
        self._check_fitted("templates_")
        if self.image_shape is not None:
            shape = tuple(self.image_shape)
        elif len(self._sample_shape) > 1:
            shape = self._sample_shape
        else:
            shape = default_image_shape(self.n_features_in_)
        if shape is None:
            return None
        return self.coef_.reshape(len(self.classes_), *shape)
