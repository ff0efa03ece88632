"""Helpers of the same-numbers tests (tests/jobs_test.sh, tests/ranks_test.sh): two runs of one
comparison or simulation must give the same numbers; only timing fields may differ."""
import csv
import json
import pathlib

# Keys and columns that hold wall times, rates or the machine, never a result.
TIMING = ("second", "per_s", "threads", "time", "git_commit")


def strip(x):
    """x without its timing keys (recursively)."""
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if not any(t in k for t in TIMING)}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def json_of(path):
    return strip(json.loads(pathlib.Path(path).read_text()))


def rows(path):
    """A metrics.csv without its timing columns."""
    with open(path) as f:
        return [{k: v for k, v in r.items() if not any(t in k for t in TIMING)}
                for r in csv.DictReader(f)]


def same_comparison(a, b, what):
    """Exits with FAIL unless the comparison directories a and b hold equal leaderboard.json and
    equal run directories (metrics.csv); returns the run directories compared."""
    a, b = pathlib.Path(a), pathlib.Path(b)
    if json_of(a / "leaderboard.json") != json_of(b / "leaderboard.json"):
        raise SystemExit(f"FAIL: leaderboard.json differs between {what}")
    runs = sorted(p.relative_to(a) for p in a.rglob("metrics.csv"))
    for r in runs:
        if rows(a / r) != rows(b / r):
            raise SystemExit(f"FAIL: {r} differs between {what}")
    return runs
