"""``python -m bench`` (``make bench``): run the benchmarks and print their figures."""

from __future__ import annotations

import sys

from bench import fetch_limits

if __name__ == "__main__":
    sys.exit(fetch_limits.run())
