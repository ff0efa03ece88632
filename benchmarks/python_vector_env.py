#!/usr/bin/env python3
"""Steps per second of rlrec.VectorEnv from Python (issue 14, item 10).

interest_evolution, N=10 candidates, K=2, batch 256 and 1024, 1 and 2 threads; two policies:
  fixed   the same (B, K) action array every step (positions 0..K-1): environment + binding only,
          comparable with build/release/benchmarks/sim_bench (C++, no Python);
  random  a uniform random slate per user from numpy each step (argsort of uniforms).
Each configuration runs `--seconds` of steps per repetition, repetitions interleaved; the median of
`--reps` repetitions is printed (wall-clock steps/s, and steps per CPU-second of the process) with
the load average (the machine may be shared). With --cxx BIN,
the C++ sim_bench runs in the same invocation for comparison.

    PYTHONPATH=build/release/python /usr/bin/python3 benchmarks/python_vector_env.py [--cxx build/release/benchmarks/sim_bench]
"""

import argparse
import os
import statistics
import subprocess
import time

import numpy as np

import rlrec


def measure(venv, policy, seconds, rng):
    B, N, K = venv.num_envs, venv.num_candidates, venv.slate_size
    fixed = np.tile(np.arange(K, dtype=np.int32), (B, 1))
    venv.reset(seed=1)
    for _ in range(20):  # warm-up
        venv.step(fixed)
    steps, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while True:
        for _ in range(50):
            if policy == "fixed":
                a = fixed
            else:
                a = np.argsort(rng.random((B, N)), axis=1)[:, :K]
            venv.step(a)
        steps += 50 * B
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed, steps / max(time.process_time() - cpu_start, 1e-9)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=1.0, help="duration of one repetition")
    p.add_argument("--reps", type=int, default=5, help="repetitions (median reported)")
    p.add_argument("--batches", type=int, nargs="+", default=[256, 1024])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--cxx", default="", help="path of sim_bench to run alongside (optional)")
    args = p.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs")
    configs = [(b, t, pol) for b in args.batches for t in args.threads for pol in ("fixed", "random")]
    envs = {(b, t): rlrec.VectorEnv("interest_evolution", b, seed=1, threads=t, num_candidates=10,
                                    slate_size=2) for b in args.batches for t in args.threads}
    results = {c: [] for c in configs}
    rng = np.random.default_rng(0)
    for _ in range(args.reps):
        for c in configs:
            results[c].append(measure(envs[c[:2]], c[2], args.seconds, rng))
    print(f"{'batch':>6} {'threads':>7} {'policy':>7} {'median steps/s':>15} {'min':>12} {'max':>12}"
          f" {'steps/CPU-s':>12}")
    for c in configs:
        r = [w for w, _ in results[c]]
        cpu = statistics.median(x for _, x in results[c])
        print(f"{c[0]:>6} {c[1]:>7} {c[2]:>7} {statistics.median(r):>15,.0f} {min(r):>12,.0f} "
              f"{max(r):>12,.0f} {cpu:>12,.0f}")
    print("steps/s: wall clock; steps/CPU-s: per second of this process's CPU time (all its "
          "threads), less sensitive to a loaded machine")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.cxx:
        out = subprocess.run([args.cxx, "--benchmark_filter=BM_InterestEvolutionStep/N:10/",
                              "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"],
                             capture_output=True, text=True)
        print("C++ sim_bench (same run; its 'Time' is wall, 'CPU' the main thread's CPU per 'batch' steps):")
        for line in out.stdout.splitlines():
            if "median" in line:
                print("  " + line)
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
