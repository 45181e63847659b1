"""`make run`'s supervisor (scripts/dev.py): a crashed child is restarted with a back-off and a log
line, the others keep running; Ctrl-C still stops the whole tree (issue 14, item 1)."""

import os
import signal
import subprocess
import sys
import textwrap

from rse.lib.testing.faults import ROOT, wait_until

DRIVER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("dev", {script!r})
dev = importlib.util.module_from_spec(spec); spec.loader.exec_module(dev)
dev.supervise(
    {{
        "crashy": [sys.executable, "-c", "import sys, time; open({crashes!r}, 'a').write('x'); time.sleep(0.3); sys.exit(3)"],
        "steady": [sys.executable, "-c", "import os, time; open({steady!r}, 'a').write(str(os.getpid()) + ' '); time.sleep(600)"],
    }},
    backoff=(0.2, 0.4, 0.8),
    stable_after=60,
    poll=0.05,
)
"""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_crashed_child_is_restarted_and_ctrl_c_stops_everything(tmp_path):
    crashes, steady = tmp_path / "crashes", tmp_path / "steady"
    driver = tmp_path / "driver.py"
    code = DRIVER.format(script=str(ROOT / "scripts" / "dev.py"), crashes=str(crashes), steady=str(steady))
    driver.write_text(textwrap.dedent(code))
    log = tmp_path / "stderr"
    proc = subprocess.Popen([sys.executable, str(driver)], stderr=log.open("wb"), start_new_session=True)  # noqa: S603
    try:
        wait_until(lambda: crashes.exists() and len(crashes.read_text()) >= 3, "the crashing child to run three times")
        text = log.read_text()
        assert "crashy exited with code 3; restarting it in 0.2 s (crash 1)" in text
        assert "crashy exited with code 3; restarting it in 0.4 s (crash 2)" in text
        # The other child was never stopped nor restarted.
        wait_until(lambda: steady.exists() and steady.read_text().strip(), "the steady child to start")
        (steady_pid,) = steady.read_text().split()
        assert _alive(int(steady_pid)) and "steady" not in text
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=30) == 0
        wait_until(lambda: not _alive(int(steady_pid)), "the steady child to be stopped")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
