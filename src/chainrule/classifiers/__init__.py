"""Ready classifiers with the scikit-learn estimator API (`fit`, `predict`, `score`, ...).

- `KNNClassifier`: k-nearest neighbors (L2 / L1, vectorized, memory-bounded), with
  `cross_validate_k` to choose k.
"""

from .base import BaseClassifier, DataConversionWarning, NotFittedError
from .distances import k_nearest, pairwise_distances
from .knn import KNNClassifier, neighbor_votes
from .model_selection import KCrossValidation, cross_validate_k

__all__ = [
    "BaseClassifier",
    "DataConversionWarning",
    "KCrossValidation",
    "KNNClassifier",
    "NotFittedError",
    "cross_validate_k",
    "k_nearest",
    "neighbor_votes",
    "pairwise_distances",
]
