"""Ratio benchmarks: each compares a spec operation with a baseline measured in the same process run."""
