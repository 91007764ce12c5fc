"""Two runs on one store: nothing lost, and an overlap known in time is scored once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from naswot.scores import ScoreResult
from naswot.store import ResultKey, Store, new_owner

SRC = str(Path(__file__).resolve().parents[1] / "src")
K = 40

# Each forward pass sleeps 0.25 s and logs its model, so the log counts computations.
SLOW_NETS = """
import os, time
from torch import nn

class Slow(nn.Sequential):
    def __init__(self, k, *layers):
        super().__init__(*layers)
        self.k = k

    def forward(self, x):
        if x.device.type != "meta":
            with open(os.environ["NASWOT_TEST_LOG"], "a") as log:
                log.write(f"{self.k}\\n")
            time.sleep(0.25)
        return super().forward(x)

def slow(k, num_classes=10):
    return Slow(k, nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, num_classes))
"""


def test_two_processes_sharing_a_store_score_the_overlap_once(tmp_path):
    """A scores models 1..30 in order, B scores 11..40 from the top down: they meet inside the overlap."""
    (tmp_path / "slow_nets.py").write_text(SLOW_NETS)
    (tmp_path / "a.txt").write_text("".join(f"slow_nets:slow(k={k})\n" for k in range(1, 31)))
    (tmp_path / "b.txt").write_text("".join(f"slow_nets:slow(k={k})\n" for k in range(K, 10, -1)))
    space = "zoo:family=slow_nets:slow,k=" + "|".join(map(str, range(1, K + 1)))
    env = dict(os.environ, PYTHONPATH=SRC, NASWOT_TEST_LOG=str(tmp_path / "log"))

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "naswot", "score", "--space", space, "--file", f"{name}.txt",
                                 "--data", "synthetic", "--batch-size", "4", "--workers", "1", "--store", "s.db",
                                 "--quiet", "--device", "cpu", "--json", f"{name}.json"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = start("a")
    deadline = time.monotonic() + 120
    while not (tmp_path / "log").exists() and time.monotonic() < deadline:  # A is computing
        time.sleep(0.1)
    second = start("b")
    for process in (first, second):
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    computed = [int(line) for line in (tmp_path / "log").read_text().split()]
    log_b = [k for k in computed if k > 30]
    assert log_b, "B never computed: the runs did not overlap in time"
    assert sorted(computed) == list(range(1, K + 1))  # every model once: nothing lost, nothing twice
    with Store(tmp_path / "s.db") as store:
        assert store.count() == K


KEY = ResultKey("space", "naswot", "data", 0)


def test_claims_are_exclusive_until_stored_released_or_expired(tmp_path):
    with Store(tmp_path / "s.db") as a, Store(tmp_path / "s.db") as b:
        assert a.claim(KEY, ["x", "y", "z"], "A", lease=60) == {"x", "y", "z"}
        assert b.claim(KEY, ["x", "y", "z", "w"], "B", lease=60) == {"w"}
        a.put(KEY, "x", ScoreResult(1.0, 0.1))
        assert b.claim(KEY, ["x"], "B", lease=60) == set()  # stored: nothing to claim
        a.release("A")
        assert b.claim(KEY, ["y"], "B", lease=60) == {"y"}
        assert a.claim(KEY, ["z"], "A", lease=60) == {"z"}
        time.sleep(0.3)  # A stops renewing, as a killed run elsewhere does
        assert b.claim(KEY, ["z"], "B", lease=0.2) == {"z"}


def test_the_claims_of_a_killed_run_on_this_machine_are_free_at_once(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = f"{socket.gethostname()}:{gone.stdout.strip()}:x", new_owner()
    with Store(tmp_path / "s.db") as store:
        assert store.claim(KEY, ["x"], dead, lease=600) == {"x"}
        assert store.claim(KEY, ["y"], alive, lease=600) == {"y"}
        assert store.claim(KEY, ["x", "y"], "B", lease=600) == {"x"}
