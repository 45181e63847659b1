"""The embedded default's broker (rse/lib/broker.py): a half-written or broken message file never
kills the worker, nor costs the jobs queued after it (issue 14, item 1)."""

import json
import logging
import os
import subprocess
import sys

from kombu import Connection

from rse.lib import broker
from rse.lib.testing.faults import ROOT, CeleryWorker, embedded_env, wait_until


def channel(folder):
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    return Connection(f"{broker.ALIAS}://", transport_options=options).default_channel


def payload(name):
    return {"body": name, "headers": {}, "properties": {"delivery_tag": name}, "content-type": "application/json"}


def test_a_malformed_message_file_is_set_aside_and_logged_and_the_next_one_is_delivered(tmp_path, caplog):
    queue = channel(tmp_path)
    (tmp_path / "00000000000000001_half.celery.msg").write_bytes(b"")  # created, not yet written
    (tmp_path / "00000000000000002_cut.celery.msg").write_bytes(b'{"body": "trunc')
    queue._put("celery", payload("real job"))
    with caplog.at_level(logging.ERROR, logger="rse.lib.broker"):
        assert queue._get("celery")["body"] == "real job"
    assert sorted(p.name for p in (tmp_path / "bad").iterdir()) == [
        "00000000000000001_half.celery.msg",
        "00000000000000002_cut.celery.msg",
    ]
    assert [r.message.startswith("Skipped a malformed message") for r in caplog.records] == [True, True]
    assert not list(tmp_path.glob("*.msg"))


def test_a_message_is_never_visible_half_written(tmp_path, monkeypatch):
    queue = channel(tmp_path)
    seen_while_writing = []
    real_fsync = os.fsync

    def fsync(fd):  # the moment between writing the bytes and publishing the file
        seen_while_writing.extend(name for name in os.listdir(tmp_path) if name.endswith(".msg"))
        real_fsync(fd)

    monkeypatch.setattr(broker.os, "fsync", fsync)
    queue._put("celery", payload("one"))
    assert seen_while_writing == []
    (message,) = tmp_path.glob("*.celery.msg")
    assert json.loads(message.read_text())["body"] == "one"
    assert not list(tmp_path.glob(".*"))  # no partial file left behind


def test_messages_come_out_in_the_order_they_were_sent(tmp_path):
    queue = channel(tmp_path)
    for name in ("first", "second", "third"):
        queue._put("celery", payload(name))
    assert [queue._get("celery")["body"] for _ in range(3)] == ["first", "second", "third"]


def test_the_worker_survives_an_empty_message_file_and_runs_the_next_job(tmp_path):
    """Issue 14's reproduction on the real thing: `make run`'s worker, an empty *.celery.msg in
    var/celery-broker, then a job. The worker used to exit with JSONDecodeError."""
    env = embedded_env(tmp_path)
    folder = tmp_path / env["RSE_VAR_DIR"] / "celery-broker"
    folder.mkdir(parents=True)
    (folder / "1_half-written.celery.msg").write_bytes(b"")
    with CeleryWorker(tmp_path, env) as worker:
        send = "from rse.celery import ping; ping.delay('after the broken file')"
        subprocess.run(  # noqa: S603 - another process, as the web server is
            [sys.executable, "-c", f"import django; django.setup(); {send}"], env=env, cwd=ROOT, check=True, timeout=120
        )
        wait_until(lambda: "succeeded" in worker.log() or not worker.alive, "the ping to run")
        assert worker.alive, worker.log()[-3000:]
        assert "Task rse.ping[" in worker.log() and "'after the broken file'" in worker.log()
        assert "Skipped a malformed message" in worker.log()
    assert [p.name for p in (folder / "bad").iterdir()] == ["1_half-written.celery.msg"]
    # kombu's control folder (remote control) stays under var/, never in the current directory.
    assert list((folder / "control").glob("*.exchange"))
    assert not (worker.dir / "control").exists() and not (ROOT / "control").exists()
