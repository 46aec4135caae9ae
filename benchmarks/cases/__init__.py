"""The cases of the suite, by number (the issue's numbering). Each module has ``run(report,
settings)``; its docstring says what is measured, against whom, and the target."""

CASE_MODULES = {
    1: "mlp_training",
    2: "inference",
    3: "linear_loss",
    4: "knn",
    5: "lbfgs",
    6: "time_to_accuracy",
    7: "imports",
    8: "memory",
}

TITLES = {
    1: "MLP training throughput",
    2: "inference throughput",
    3: "linear classifier loss + gradient",
    4: "kNN prediction",
    5: "L-BFGS to convergence",
    6: "time to 89% test accuracy",
    7: "import and --help time",
    8: "peak memory of training",
}
