"""Benchmarks: speed and memory goals are measured here, never by timed assertions in tests.

Run them with ``make bench`` (``.venv/bin/python -m bench``).
"""
