"""Benchmarks (not tests): run them by hand and put the figures in BENCHMARKS.md."""
