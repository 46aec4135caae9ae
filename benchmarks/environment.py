"""The measuring environment: thread limits for everyone, the machine's description, the peers.

Every contender gets the same number of threads. The BLAS and OpenMP pools read their size from
environment variables when the library is first loaded, so `limit_threads` sets them before
NumPy (or torch) is imported; if NumPy is already loaded (an in-process run), threadpoolctl
limits the pools that are running, when it is installed.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sys

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)

# Set on some processors here for old OpenBLAS builds; they make a current NumPy pick a slower
# kernel. The benchmark reports them; README.md shows how to unset them for one run.
SLOWING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

PEER_MODULES = {"pytorch": "torch", "scikit-learn": "sklearn", "scipy": "scipy"}

_thread_limiter = None  # keeps threadpoolctl's limits alive for the whole run


def limit_threads(threads):
    """Give every thread pool (BLAS, OpenMP, torch) ``threads`` threads.

    Parameters
    ----------
    threads : int
        Number of threads for each library (2 in the published runs).
    """
    global _thread_limiter
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if "numpy" in sys.modules and importlib.util.find_spec("threadpoolctl") is not None:
        from threadpoolctl import threadpool_limits

        _thread_limiter = threadpool_limits(limits=threads)
    if "torch" in sys.modules:
        set_torch_threads(threads)


def set_torch_threads(threads):
    """torch keeps its own intra-op pool; called after ``import torch``."""
    import torch

    torch.set_num_threads(threads)


def peer_available(peer):
    """True when the peer's package can be imported here (``pytorch``, ``scikit-learn``, ...)."""
    return importlib.util.find_spec(PEER_MODULES[peer]) is not None


def missing_peer_note(peer):
    """Why a comparison was skipped, and how to enable it."""
    package = {"pytorch": "torch==2.13.0"}.get(peer, peer)
    return (f"{peer} is not installed in this environment "
            f"(pip install {package}; see benchmarks/README.md)")


def _version(distribution):
    """The installed version, read from the package metadata (importing scikit-learn or torch
    just to ask would cost seconds)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _thread_pools():
    """The BLAS/OpenMP pools NumPy and the peers loaded, as threadpoolctl reports them."""
    if importlib.util.find_spec("threadpoolctl") is None:
        return "threadpoolctl not installed"
    from threadpoolctl import threadpool_info

    keys = ("user_api", "internal_api", "version", "num_threads", "architecture", "filepath")
    return [{key: pool.get(key) for key in keys} for pool in threadpool_info()]


def describe_machine(threads):
    """A JSON-ready description of the machine and of the libraries being compared."""
    import numpy as np

    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "chainrule": _version("chainrule"),
        "numba": _version("numba"),  # chainrule's compiled kernels (the `fast` extra)
        "torch": _version("torch"),
        "scikit-learn": _version("scikit-learn"),
        "scipy": _version("scipy"),
        "threads": threads,
        "thread_environment": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "slowing_environment": {name: os.environ.get(name) for name in SLOWING_VARIABLES},
        "thread_pools": _thread_pools(),
    }
