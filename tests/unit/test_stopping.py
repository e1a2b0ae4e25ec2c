"""SIGTERM sets the stop event; a process that does not stop by itself is ended by the watchdog, with stacks."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUCK = """
import sys, time
from tracker.stopping import stop_event
stop = stop_event(watchdog_seconds={watchdog})
print("ready", flush=True)
while not stop.is_set():
    time.sleep(0.05)
print("stopping", flush=True)
if {stuck}:
    time.sleep(60)  # something that ignores the stop: the watchdog must end the process
print("stopped", flush=True)
"""


def _run(watchdog: float, *, stuck: bool) -> tuple[int, str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK.format(watchdog=watchdog, stuck=stuck)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        return proc.returncode, out, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_process_that_stops_by_itself_exits_normally() -> None:
    code, out, err = _run(30.0, stuck=False)
    assert code == 0 and out.split() == ["stopping", "stopped"] and "Traceback" not in err


def test_the_watchdog_ends_a_stuck_process_and_prints_where_it_was() -> None:
    code, out, err = _run(1.0, stuck=True)  # the stuck call sleeps 60 s; _run waits 30 at most
    assert code != 0 and "stopped" not in out, "the process did not get past the stuck call"
    assert "Thread" in err and "<string>" in err, "every thread's stack, naming the stuck line"
