"""Plots (`chainrule.viz`): training curves, class templates, confusion matrices, misclassified
images, decision regions, optimizer paths, per-layer training statistics, weight and activation
histograms.

Every function takes plain data (NumPy arrays, lists of dict records), draws a matplotlib
figure, returns it, and with ``path=`` also saves it atomically (PNG unless the extension names
another format)::

    from chainrule import viz
    viz.plot_history(trainer.history, path="curves.png")   # or "runs/mlp/history.json"
    viz.plot_templates(W.T, classes, image_shape=(28, 28))

matplotlib is the optional ``plot`` extra (``pip install "chainrule[plot]"``). Importing this
package does not import it: it is imported on the first plot, with the non-interactive "Agg"
backend when there is no display. Figures are made through pyplot, so ``plt.show()`` and
notebooks display them; close them (``plt.close(fig)``) when drawing many in a loop.
"""

from ._figure import save_figure
from .distributions import plot_activations_histogram, plot_weights_histogram
from .history import HISTORY_KEYS, load_history, plot_history, plot_layer_statistics, plot_lr
from .images import normalize_confusion, plot_confusion_matrix, plot_misclassified, plot_templates
from .regions import plot_decision_regions, plot_optimizer_paths

__all__ = [
    "HISTORY_KEYS",
    "load_history",
    "normalize_confusion",
    "plot_activations_histogram",
    "plot_confusion_matrix",
    "plot_decision_regions",
    "plot_history",
    "plot_layer_statistics",
    "plot_lr",
    "plot_misclassified",
    "plot_optimizer_paths",
    "plot_templates",
    "plot_weights_histogram",
    "save_figure",
]
