"""``python -m bench`` (``make bench``): run the benchmarks and print their figures."""

from __future__ import annotations

from bench import fetch_limits

if __name__ == "__main__":
    fetch_limits.run()
