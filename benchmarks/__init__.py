"""Benchmarks for lecture_mlp: slider latency of every lab, MLP epoch time beside
PyTorch and the BLAS floor, the single-neuron grid, and notebook execution time.

    python -m benchmarks.run [--quick] [--skip-torch] [--skip-notebooks] [--json PATH]

PyTorch is optional (``pip install -e ".[bench]"``); without it the torch columns are
skipped and the report says so. See benchmarks/README.md.
"""
