"""Ready classifiers with the scikit-learn estimator API (`fit`, `predict`, `predict_proba`,
`decision_function`, `score`, `get_params`, `set_params`), built on chainrule's own parts:

- `KNNClassifier`: k-nearest neighbors (L2 / L1, vectorized, memory-bounded), with
  `cross_validate_k` to choose k;
- `LinearClassifier`: s = W x + b with the SVM or softmax loss (``coef_``, ``templates_``);
- `MLPClassifier`: a fully-connected network (`build_mlp`).

The last two train with `chainrule.train.Trainer`. scikit-learn itself is not needed.
"""

from .base import BaseClassifier, DataConversionWarning, NotFittedError
from .distances import k_nearest, pairwise_distances
from .knn import KNNClassifier, neighbor_votes
from .linear import LinearClassifier, default_image_shape
from .mlp import MLP_ACTIVATIONS, MLPClassifier, build_mlp
from .model_selection import KCrossValidation, cross_validate_k
from .neural import NeuralClassifier

__all__ = [
    "MLP_ACTIVATIONS",
    "BaseClassifier",
    "DataConversionWarning",
    "KCrossValidation",
    "KNNClassifier",
    "LinearClassifier",
    "MLPClassifier",
    "NeuralClassifier",
    "NotFittedError",
    "build_mlp",
    "cross_validate_k",
    "default_image_shape",
    "k_nearest",
    "neighbor_votes",
    "pairwise_distances",
]
