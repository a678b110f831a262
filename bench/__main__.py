"""``python -m bench``: run the benchmarks and print their figures."""

from __future__ import annotations

if __name__ == "__main__":
    print("no benchmarks yet")
