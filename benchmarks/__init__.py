"""chainrule's benchmark suite: chainrule against its peers, measured in one process.

Run it from the repository root (see ``benchmarks/README.md``)::

    python -m benchmarks                 # every case, 5 repetitions, JSON in benchmarks/results/
    python -m benchmarks --quick         # seconds-long smoke run on small random data
    python -m benchmarks --cases 1,3,7 --repeats 3 --json out.json

This package is not part of the installed ``chainrule``: it lives beside it and imports it like
any user would. Nothing here imports NumPy or a peer at import time, so the thread settings in
``benchmarks.environment`` take effect before any BLAS library starts its threads.
"""
