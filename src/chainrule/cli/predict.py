"""`chainrule predict`: the top classes of image files, with probabilities."""

from __future__ import annotations

import numpy as np

from .common import positive_int


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "predict", help="classify image files with a saved model",
        description="Classify PNG/JPEG images with a model saved by `chainrule train`: each "
                    "image is converted to the model's input size and channels, preprocessed "
                    "as in training, and its top-k classes are printed.")
    parser.add_argument("model", metavar="MODEL",
                        help="a model.safetensors file, or the run folder that holds it")
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="image files")
    parser.add_argument("--top-k", type=positive_int, default=3,
                        help="how many classes to show per image (default 3)")
    parser.add_argument("--invert", action="store_true",
                        help="invert the gray levels first (Fashion-MNIST shows light objects "
                             "on black; use this for dark objects on a white background)")
    parser.set_defaults(handler=run_predict)


def run_predict(args):
    from ..data import load_image
    from ..nn.losses import softmax
    from .common import UserError
    from .runner import load_classifier

    loaded = load_classifier(args.model)
    shape = loaded.metadata.get("image_shape") or None
    if not shape:
        raise UserError("this model was not trained on images (it has no image shape)")
    images = np.stack([load_image(path, tuple(shape)) for path in args.images])
    if args.invert:
        images = 255 - images
    scores = loaded.scores(images)
    probabilistic = loaded.probabilistic
    values = scores if loaded.kind == "knn" else (softmax(scores) if probabilistic else scores)
    label = "probability" if probabilistic else "score (SVM)"
    names = loaded.classes or [str(i) for i in range(scores.shape[1])]
    k = min(args.top_k, scores.shape[1])
    for path, row in zip(args.images, values):
        order = np.argsort(-row, kind="stable")[:k]
        print(f"{path}:")
        for rank, index in enumerate(order, 1):
            print(f"  {rank}. {names[index]:<14} {label} {row[index]:.4f}")
    return 0
