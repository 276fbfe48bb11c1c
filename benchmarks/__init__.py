"""Solver benchmarks: the optimizer against a plain HiGHS peer model (``make bench``)."""
