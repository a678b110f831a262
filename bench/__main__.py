"""``python -m bench`` (``make bench``): run the benchmarks and print their figures."""

from __future__ import annotations

import sys

from bench import fetch_limits, review_scale

if __name__ == "__main__":
    codes = [fetch_limits.run()]
    print()
    codes.append(review_scale.run())
    sys.exit(max(codes))
