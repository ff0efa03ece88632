"""Ctrl-C during long calls: SIGINT sent to a Python process inside mf_fit, ope.estimate with a
large bootstrap, a baseline evaluation, train and compare raises KeyboardInterrupt within 2 s, and
the process goes on (the call's outputs are not left half-written)."""

import os
import signal
import subprocess
import sys
import time

import pytest

import rlrec
from conftest import MOVIELENS, ROOT

PYPATH = os.path.dirname(os.path.dirname(os.path.abspath(rlrec.__file__)))

MEN = ROOT / "data" / "open_bandit" / "random" / "men" / "men.csv"
EXP = ROOT / "configs" / "experiments" / "slateq_qlearning.toml"
MAIN = ROOT / "configs" / "experiments" / "main.toml"

# Each call runs for minutes if not interrupted. `prep` runs before "ready" is printed.
CALLS = {
    "mf_fit": ("", f"rlrec.mf_fit({str(MOVIELENS)!r}, model='biased_sgd', epochs=100000, "
                   f"split='last:1')"),
    "ope_bootstrap": (f"bf = rlrec.read_bandit_feedback({str(MEN)!r})\n"
                      "import numpy as np\n"
                      "d = np.full((bf['n_rounds'], bf['n_actions'], bf['len_list']), "
                      "1 / bf['n_actions'])",
                      "rlrec.ope.estimate(bf, d, estimators='ipw', bootstrap=10**6)"),
    "evaluate_baseline": ("", "rlrec.evaluate('myopic', episodes=10**7)"),
    "train": ("rlrec.agents._agents()",
              f"rlrec.train({str(EXP)!r}, out=OUT, set=['run.threads=1', 'run.eval_interval=10000000'])"),
    "compare": ("rlrec.agents._agents()",
                f"rlrec.compare({str(MAIN)!r}, seeds=1, episodes=10**7, "
                "set=['compare.agents=[\"random\"]'])"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_sigint_raises_keyboard_interrupt(name, tmp_path):
    if name == "mf_fit" and not MOVIELENS.exists():
        pytest.skip(f"MovieLens 100k not found at {MOVIELENS}")
    prep, call = CALLS[name]
    out = tmp_path / "run"
    code = (f"import sys, time\nimport rlrec\nOUT = {str(out)!r}\n{prep}\n"
            "print('ready', flush=True)\n"
            "t0 = time.monotonic()\n"
            f"try:\n    {call}\n    print('finished', flush=True)\n"
            "except KeyboardInterrupt:\n"
            "    print('KeyboardInterrupt', round(time.monotonic() - t0, 3), flush=True)\n"
            "print('alive', flush=True)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=PYPATH))
    try:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
        time.sleep(1.0)  # well inside the call
        assert p.poll() is None, "the call ended before the signal: " + p.stderr.read()
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        rest, err = p.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    lines = rest.split()
    assert p.returncode == 0 and "KeyboardInterrupt" in lines and lines[-1] == "alive", (rest, err)
    assert elapsed < 2.0, f"KeyboardInterrupt {elapsed:.2f} s after SIGINT"
    if name == "train":  # interrupted before its first checkpoint: no half-written checkpoint
        assert not (out / "checkpoint").exists()
        assert not [f for f in os.listdir(out) if ".tmp." in f]
