"""Training (`chainrule.train`): the `Trainer` loop, its `History`, checkpoints, callbacks and
metrics.

    >>> import numpy as np
    >>> from chainrule import nn, optim
    >>> from chainrule.train import Trainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.ReLU(), nn.Linear(16, 2, rng=1))
    >>> trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), epochs=20,
    ...                   batch_size=20, verbose=0)
    >>> history = trainer.fit(X, y)
    >>> history.epochs[-1]["train_accuracy"] > 0.9
    True
"""

from .callbacks import Callback, LambdaCallback
from .checkpoint import load_checkpoint, save_checkpoint
from .clipping import clip_grad_norm_, global_grad_norm
from .errors import TrainingDiverged, TrainingInterrupted
from .history import History
from .metrics import (
    accuracy,
    confusion_matrix,
    evaluate,
    per_class_accuracy,
    predict,
    predict_scores,
)
from .trainer import CHECKPOINT_NAME, Trainer

__all__ = [
    "CHECKPOINT_NAME",
    "Callback",
    "History",
    "LambdaCallback",
    "Trainer",
    "TrainingDiverged",
    "TrainingInterrupted",
    "accuracy",
    "clip_grad_norm_",
    "confusion_matrix",
    "evaluate",
    "global_grad_norm",
    "load_checkpoint",
    "per_class_accuracy",
    "predict",
    "predict_scores",
    "save_checkpoint",
]
