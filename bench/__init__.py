"""Benchmarks of finops-verifier (``make bench``, ``python -m bench``)."""
