"""`chainrule train`: train a classifier on images and save the model, its history and plots."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .common import (
    UserError,
    int_list,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    probability,
)

MODELS = ("mlp", "linear", "knn")
ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh", "sigmoid", "maxout")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lbfgs",
              "random-search")
SCHEDULES = ("constant", "step", "cosine", "linear", "inverse-sqrt")
PREPROCESSING = ("scale", "center", "standardize")
CONFIG_NAME = "config.json"

EPILOG = """examples:
  chainrule train                                   an MLP on the embedded Fashion-MNIST sample
  chainrule train --model linear --loss svm --regularization l2 --strength 1e-3
  chainrule train --model knn --k 5
  chainrule train --data fashion-mnist --hidden 512,256 --epochs 20 --dropout 0.2
  chainrule train --resume runs/mlp-fashion-mnist-mini    continue an interrupted run

A run writes runs/NAME/: model.safetensors, config.json, history.json/.csv, the checkpoint,
and plots/*.png when matplotlib is installed (pip install "chainrule[plot]").
"""


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a classifier (MLP, linear or kNN) on images",
        description="Train a classifier on images, print its test accuracy and write the model, "
                    "the training history and plots to a run folder. With no arguments: an MLP "
                    "on the embedded Fashion-MNIST sample (8,000 training images).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = parser.add_argument_group("data")
    data.add_argument("--data", default="fashion-mnist-mini", metavar="NAME|PATH",
                      help="dataset name (fashion-mnist-mini, fashion-mnist, mnist, cifar10, "
                           "spiral, ...), a folder of class folders of images, or an .npz with X "
                           "and y (default: fashion-mnist-mini)")
    data.add_argument("--data-dir", metavar="DIR",
                      help="where to look for / download full datasets (default: "
                           "$CHAINRULE_DATA, then ~/.cache/chainrule)")
    data.add_argument("--preprocess", choices=PREPROCESSING, default="scale",
                      help="scale: pixels to [0, 1]; center: also subtract the mean training "
                           "image; standardize: zero mean, unit variance per pixel (default: "
                           "scale). Fitted on the training split only")
    data.add_argument("--validation-fraction", type=probability, default=0.1, metavar="F",
                      help="fraction of the training images held out for validation (default "
                           "0.1; 0 for none)")
    model = parser.add_argument_group("model")
    model.add_argument("--model", choices=MODELS, default="mlp",
                       help="mlp (neural network), linear (linear classifier) or knn (default "
                            "mlp)")
    model.add_argument("--loss", choices=("softmax", "svm"), default="softmax",
                       help="softmax cross-entropy or multiclass SVM hinge loss (default softmax)")
    model.add_argument("--hidden", type=int_list, default=(512, 256), metavar="W1,W2,...",
                       help="hidden layer widths of the MLP (default 512,256)")
    model.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                       help="nonlinearity of the hidden layers (default relu)")
    model.add_argument("--dropout", type=probability, default=0.2, metavar="P",
                       help="dropout probability after each hidden layer (default 0.2)")
    model.add_argument("--k", type=positive_int, default=5, help="neighbors for kNN (default 5)")
    model.add_argument("--metric", choices=("l2", "l1"), default="l2",
                       help="kNN distance (default l2)")
    model.add_argument("--knn-weights", choices=("uniform", "distance"), default="uniform",
                       help="kNN votes: one per neighbor, or weighted by 1/distance "
                            "(default uniform)")
    reg = parser.add_argument_group("regularization")
    reg.add_argument("--regularization", choices=("none", "l2", "l1", "elasticnet"),
                     default="none", help="weight penalty R(W) (default none)")
    reg.add_argument("--strength", type=non_negative_float, default=1e-4, metavar="LAMBDA",
                     help="regularization strength lambda (default 1e-4)")
    reg.add_argument("--beta", type=non_negative_float, default=1.0,
                     help="elastic net: weight of the W^2 term (default 1)")
    opt = parser.add_argument_group("optimization")
    opt.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                     help="update rule (default adam)")
    opt.add_argument("--lr", type=positive_float, metavar="RATE",
                     help="initial learning rate (default: 1e-3 for adam/adamw/rmsprop, 0.1 for "
                          "sgd, 0.01 for momentum/nesterov/adagrad, 1 for lbfgs; the step scale "
                          "for random-search)")
    opt.add_argument("--schedule", choices=SCHEDULES, default="cosine",
                     help="learning-rate schedule, stepped every iteration (default cosine)")
    opt.add_argument("--warmup", type=non_negative_int, default=0, metavar="STEPS",
                     help="linear warmup iterations before the schedule (default 0)")
    opt.add_argument("--epochs", type=positive_int, default=20, help="epochs (default 20)")
    opt.add_argument("--batch-size", type=positive_int, default=128, help="minibatch size "
                     "(default 128)")
    opt.add_argument("--patience", type=positive_int, metavar="EPOCHS",
                     help="stop early when validation accuracy has not improved for EPOCHS")
    opt.add_argument("--clip-grad-norm", type=positive_float, metavar="NORM",
                     help="clip gradients to this global norm")
    run = parser.add_argument_group("run")
    run.add_argument("--seed", type=int, default=0, help="seed of everything random (default 0)")
    run.add_argument("--out", default="runs", metavar="DIR",
                     help="folder that holds the run folders (default runs)")
    run.add_argument("--name", help="run folder name (default: MODEL-DATA)")
    run.add_argument("--resume", metavar="RUN_DIR",
                     help="continue the interrupted run in RUN_DIR with its saved settings")
    run.add_argument("--no-plots", action="store_true", help="do not draw plots")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")
    parser.set_defaults(handler=run_train)


def _resolve(args):
    """Apply defaults that depend on other flags; reload a resumed run's settings."""
    if args.resume:
        run_dir = Path(args.resume)
        config_path = run_dir / CONFIG_NAME
        if not config_path.is_file():
            raise UserError(f"--resume {run_dir}: no {CONFIG_NAME} there (is it a run folder "
                            "written by chainrule train?)")
        try:
            saved = json.loads(config_path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise UserError(f"--resume: cannot read {config_path}: {error}") from None
        for key, value in saved.items():
            setattr(args, key, tuple(value) if key == "hidden" else value)
        args.run_dir = str(run_dir)
        args.resume = True
        return args
    if args.lr is None:
        from ..classifiers.neural import DEFAULT_LR

        args.lr = DEFAULT_LR[args.optimizer]
    if args.model == "knn" and args.regularization != "none":
        raise UserError("--regularization does not apply to --model knn")
    name = args.name or f"{args.model}-{Path(str(args.data)).stem}"
    args.run_dir = str(Path(args.out) / name)
    args.resume = False
    return args


SAVED_SETTINGS = ("data", "data_dir", "preprocess", "validation_fraction", "model", "loss",
                  "hidden", "activation", "dropout", "k", "metric", "knn_weights",
                  "regularization", "strength", "beta", "optimizer", "lr", "schedule", "warmup",
                  "epochs", "batch_size", "patience", "clip_grad_norm", "seed")


def run_train(args):
    from ..train import TrainingDiverged, TrainingInterrupted
    from .runner import TrainingRun

    args = _resolve(args)
    settings = {key: getattr(args, key) for key in SAVED_SETTINGS}
    started = time.perf_counter()
    run = TrainingRun(settings, Path(args.run_dir), resume=args.resume, quiet=args.quiet)
    try:
        summary = run.execute(plots=not args.no_plots)
    except TrainingInterrupted as error:
        print(f"\n{error.args[0].split(';')[0]}.", file=sys.stderr)
        print(f"Progress is saved in {args.run_dir}; continue with:\n"
              f"  chainrule train --resume {args.run_dir}", file=sys.stderr)
        return 130
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(summary.report(elapsed))
    return 0
