"""Benchmarks: each figure against a baseline measured in the same run (docs/performance.md)."""
