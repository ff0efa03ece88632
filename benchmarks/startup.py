#!/usr/bin/python3
"""Start-up benchmark of the rlrec CLI (issue 13, item 5: target <= 50 ms each).

Runs each command REPEATS times (default 11) and prints the median, minimum and maximum wall time in
milliseconds, with the machine's load average before and after (the machines are shared: compare
medians, and only at a low load). Output goes to /dev/null; a command that fails stops the benchmark.

  benchmarks/startup.py [build/release/cli] [--repeats N]

This is a benchmark, not a test: nothing here asserts a time.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bindir", nargs="?", default="build/release/cli",
                    help="folder holding rlrec and rlrec-agents (default build/release/cli)")
    ap.add_argument("--repeats", type=int, default=11, help="runs per command (default 11)")
    args = ap.parse_args()
    if args.repeats < 1:
        print(f"error: --repeats {args.repeats}: must be >= 1", file=sys.stderr)
        return 2
    rlrec = os.path.join(args.bindir, "rlrec")
    agents = os.path.join(args.bindir, "rlrec-agents")
    for b in (rlrec, agents):
        if not os.access(b, os.X_OK):
            print(f"error: {b}: not an executable; build first (cmake --build --preset release)",
                  file=sys.stderr)
            return 2
    cases = [
        ("rlrec --help", [rlrec, "--help"]),
        ("rlrec list", [rlrec, "list"]),
        ("rlrec simulate (10 episodes)", [rlrec, "simulate", "--episodes", "10"]),
        ("rlrec-agents --help", [agents, "--help"]),
    ]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'command':<32} {'median ms':>10} {'min ms':>8} {'max ms':>8}  (runs: {args.repeats})")
    for name, cmd in cases:
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - t0) * 1000.0)
            if r.returncode != 0:
                print(f"error: {' '.join(cmd)} exited {r.returncode}", file=sys.stderr)
                return 1
        print(f"{name:<32} {statistics.median(times):>10.1f} {min(times):>8.1f} {max(times):>8.1f}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
