"""``python -m bench`` (``make bench``): run the benchmarks and print their figures.

``python -m bench fetch``, ``parse`` or ``review`` runs one of them. ``python -m bench
recheck [options]`` runs the renewal re-check benchmark (``--help`` for its options); it
takes several minutes, so it is not in the default set.
"""

from __future__ import annotations

import sys

from bench import fetch_limits, parse_bounds, recheck, review_scale

BENCHES = {"fetch": fetch_limits.run, "parse": parse_bounds.run, "review": review_scale.run}

if __name__ == "__main__":
    if sys.argv[1:2] == ["recheck"]:
        sys.exit(recheck.run(sys.argv[2:]))
    chosen = sys.argv[1:] or list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        sys.exit(
            f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHES)}, "
            "or run `python -m bench recheck [options]` on its own"
        )
    codes = []
    for name in chosen:
        codes.append(BENCHES[name]())
        print()
    sys.exit(max(codes))
