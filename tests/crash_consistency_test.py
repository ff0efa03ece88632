#!/usr/bin/python3
"""Crash consistency of `rlrec train` (issue 15, item 3; docs/reliability.md).

Trains a tiny SlateQ run without interruption (the reference), then, in each of TRIALS seeded
trials, starts the same run, kills it with SIGKILL after a random delay (spread over the whole run,
so that some kills land while a checkpoint or the metrics are being written), one to three times,
resuming it in between, and finally lets it finish with `rlrec train --resume`. Every trial must
end with the reference's metrics rows (all columns but the three wall-time ones) and leave no
temporary file, temporary checkpoint or lock file behind. A run killed before its first checkpoint
is trained again with --force. A few further trials interrupt with SIGINT or SIGTERM instead: the
process must die of that signal (or finish) and leave no temporaries either. And a second writer of
a run directory being trained must exit 2 at once, naming the first.

usage: crash_consistency_test.py RLREC_BINARY WORK_DIR [TRIALS] [SEED] [JOBS]
"""
import concurrent.futures
import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time

# metrics.csv columns that hold wall times (they differ between any two runs).
TIMING = {"train_seconds", "updates_per_second", "env_steps_per_second"}

CONFIG = """\
[env]
num_candidates = 6
slate_size = 2
max_steps = 10
[agent]
name = "slateq_sarsa"
hidden = [8]
warmup_steps = 40
batch_size = 8
replay_capacity = 4000
[run]
train_steps = 600
eval_interval = 100
eval_episodes = 4
episodes = 4
train_batch = 4
seed = 3
"""


def rows(run_dir):
    with open(os.path.join(run_dir, "metrics.csv"), newline="") as f:
        table = list(csv.reader(f))
    keep = [i for i, h in enumerate(table[0]) if h not in TIMING]
    return [[r[i] for i in keep] for r in table]


def leftovers(parent, run_dir):
    """Temporaries inside the run directory and temporaries or locks beside it."""
    found = []
    for root, dirs, files in os.walk(run_dir):
        for name in dirs + files:
            if ".tmp" in name or name == "checkpoint.old":
                found.append(os.path.join(root, name))
    base = os.path.basename(run_dir)
    for name in os.listdir(parent):
        if name.startswith(base + ".") and name != base:
            found.append(os.path.join(parent, name))
    return found


def main():
    binary, work = sys.argv[1], sys.argv[2]
    trials = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    jobs = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = os.path.join(work, "tiny.toml")
    with open(config, "w") as f:
        f.write(CONFIG)

    def train(out, *flags):
        cmd = [binary, "train", config, "--out", out, "--threads", "1", "--json", *flags]
        return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def start(out):
        """Starts the run in `out`: resumed from its checkpoint, or new."""
        if os.path.isdir(os.path.join(out, "checkpoint")):
            flags = ["--resume"]
        else:
            flags = ["--force"]
        cmd = [binary, "train", config, "--out", out, "--threads", "1", "--json", *flags]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait_claimed(p, out):
        """Waits until process `p` holds the lock of `out` (it has started up: libtorch loaded,
        config checked) or has ended, so that the kill delays are spread over the training."""
        lock = out + ".lock"
        while p.poll() is None:
            try:
                with open(lock) as f:
                    if f.read().startswith(f"pid {p.pid} "):
                        return
            except OSError:
                pass
            time.sleep(0.002)

    ref = os.path.join(work, "reference")
    t0 = time.monotonic()
    p = start(ref)
    wait_claimed(p, ref)
    t1 = time.monotonic()
    if p.wait() != 0:
        sys.exit(f"FAIL: the reference run exited {p.returncode}: {p.stderr.read().strip()}")
    p.stderr.close()
    duration = time.monotonic() - t1
    expected = rows(ref)
    print(f"reference: {len(expected) - 1} rows, {t1 - t0:.2f} s start-up, {duration:.2f} s "
          "training")

    def finish(out, label, failures):
        resumed = os.path.isdir(os.path.join(out, "checkpoint"))
        p = train(out, "--resume" if resumed else "--force")
        if p.returncode != 0:
            failures.append(f"{label}: final run exited {p.returncode}: {p.stderr.strip()}")
            return
        got = rows(out)
        if got != expected:
            failures.append(f"{label}: metrics differ from the reference:\n  {got}\n  {expected}")
        left = leftovers(work, out)
        if left:
            failures.append(f"{label}: left behind {left}")

    def kill_trial(trial):
        """SIGKILL one to three times, resuming in between, then finish. Returns counts."""
        rng = random.Random(seed * 100003 + trial)
        out = os.path.join(work, f"kill-{trial}")
        c = {"kills": 0, "during_checkpoint": 0, "rows_past_checkpoint": 0, "before_first": 0,
             "failures": []}
        for _ in range(rng.choice([1, 1, 2, 3])):
            p = start(out)
            wait_claimed(p, out)
            time.sleep(rng.uniform(0.0, duration))
            if p.poll() is None:
                p.kill()
                c["kills"] += 1
            p.wait()
            p.stderr.close()
            ck = os.path.join(out, "checkpoint")
            if os.path.isdir(out) and any(n.startswith("checkpoint.tmp.") for n in os.listdir(out)):
                c["during_checkpoint"] += 1
            if not os.path.isdir(ck):
                c["before_first"] += 1
            elif os.path.exists(os.path.join(out, "metrics.csv")):
                with open(os.path.join(ck, "runner.toml")) as f:
                    it = [l for l in f if l.startswith("iteration = ")]
                with open(os.path.join(out, "metrics.csv")) as f:
                    n = sum(1 for _ in f) - 1
                if it and n > int(it[0].split("=")[1]):
                    c["rows_past_checkpoint"] += 1
        finish(out, f"trial {trial}", c["failures"])
        shutil.rmtree(out, ignore_errors=True)
        return c

    def signal_trial(trial):
        """SIGINT or SIGTERM: the process dies of the signal and removes its temporaries and
        lock (or it had finished); then the run is finished as after a kill."""
        rng = random.Random(seed * 100003 + trials + trial)
        out = os.path.join(work, f"signal-{trial}")
        sig = signal.SIGINT if trial % 2 == 0 else signal.SIGTERM
        c = {"interrupts": 0, "failures": []}
        p = start(out)
        wait_claimed(p, out)
        time.sleep(rng.uniform(0.0, duration))
        p.send_signal(sig)
        p.wait()
        err = p.stderr.read()
        p.stderr.close()
        if p.returncode not in (0, -sig):
            c["failures"].append(f"signal trial {trial}: exit {p.returncode}: {err.strip()}")
        c["interrupts"] += p.returncode == -sig
        left = leftovers(work, out)
        if left:
            c["failures"].append(f"signal trial {trial} ({sig.name}): left behind {left}")
        finish(out, f"signal trial {trial}", c["failures"])
        shutil.rmtree(out, ignore_errors=True)
        return c

    # Two real writers of one run directory: the second exits 2 at once, naming the first.
    out = os.path.join(work, "two-writers")
    first = subprocess.Popen(  # a longer run, so that it still trains when the second starts
        [binary, "train", config, "--out", out, "--threads", "1", "--json", "--set",
         "run.train_steps=6000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_claimed(first, out)
    second = train(out, "--force", "--stop-after", "1")
    if second.returncode != 2 or f"pid {first.pid} " not in second.stderr or (
            "is being written by another rlrec process" not in second.stderr):
        sys.exit(f"FAIL: a second writer of {out} exited {second.returncode}: "
                 f"{second.stderr.strip()}")
    print("second writer refused:", second.stderr.strip()[:160])
    if first.wait() != 0:
        sys.exit(f"FAIL: the first writer of {out} exited {first.returncode}")
    first.stderr.close()
    if len(rows(out)) < 10 or leftovers(work, out):
        sys.exit(f"FAIL: the first writer's run is short or left {leftovers(work, out)}")
    shutil.rmtree(out)

    # Two trials at a time (each is mostly process start-up); each trial has its own seeded delays.
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(kill_trial, range(trials)))
        results += list(pool.map(signal_trial, range(max(4, trials // 10))))
    total = {}
    for r in results:
        for k, v in r.items():
            total[k] = total.get(k, 0 if k != "failures" else []) + v
    kills, during_checkpoint = total["kills"], total["during_checkpoint"]
    rows_past_checkpoint, before_first = total["rows_past_checkpoint"], total["before_first"]
    interrupts, failures = total["interrupts"], total["failures"]
    print(f"kill trials: {trials}, SIGKILLs: {kills}, with a temporary checkpoint left: "
          f"{during_checkpoint}, with metrics rows past the checkpoint: {rows_past_checkpoint}, "
          f"before the first checkpoint: {before_first}; interrupted by SIGINT/SIGTERM: "
          f"{interrupts}; failures: {len(failures)}")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
