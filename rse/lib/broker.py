"""The embedded default's Celery broker: kombu's filesystem transport, made safe for two processes.

`make run` has no server to queue jobs in, so messages are files in `var/celery-broker/`, one per
message, written by the web process and read by the worker. kombu's own transport creates the
file, then writes it: a worker listing the folder in between read an empty or half-written file,
raised `JSONDecodeError` out of its consumer loop and died (issue 14). This transport

- writes each message under a name no reader looks for and renames it into place once complete
  (`os.replace` is atomic on one filesystem): a reader sees the whole message or nothing;
- claims a message by renaming it out of the queue folder (a second reader loses the rename), waits
  for a writer still holding kombu's lock on it, and moves a file that is still not a message
  (truncated by a full disk, written by hand, by an older writer) to `bad/` with an error in the
  log, then goes on with the next one: one broken file never stops the worker.

It is registered as `safefs://` (rse/celery.py); settings.py points the embedded default at it.
Why not kombu's SQLAlchemy transport on a SQLite file (tried): it never deletes a delivered message
(its table only grows), it has no fanout (so `celery inspect` and remote control go silent), and it
needs SQLAlchemy. Neither transport keeps a message a killed worker had taken: the outbox
(rse/lib/outbox.py) sends again what never completed and rse/lib/jobs.py re-queues a stalled job.
"""

import logging
import os
import tempfile
import uuid
from queue import Empty
from time import time

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

ALIAS = "safefs"


class Channel(filesystem.Channel):
    @cached_property
    def bad_folder(self):
        return self.transport_options.get("bad_folder") or os.path.join(self.data_folder_in, "bad")

    @cached_property
    def claim_folder(self):
        # Same filesystem as the queue folder, so that the claim is one atomic rename.
        return self.processed_folder if self.store_processed else os.path.join(self.data_folder_in, "claimed")

    def _put(self, queue, payload, **kwargs):
        # Microseconds since the epoch, zero-padded: names sort in sending order across processes.
        name = f"{int(time() * 1_000_000):017d}_{uuid.uuid4()}.{queue}.msg"
        fd, partial = tempfile.mkstemp(dir=self.data_folder_out, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add a message to {self.data_folder_out!r}") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        os.makedirs(self.claim_folder, exist_ok=True)
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.claim_folder, filename)
            try:
                os.rename(os.path.join(self.data_folder_in, filename), claimed)
            except OSError:
                continue  # another worker took it first
            try:
                with open(claimed, "rb") as handle:
                    filesystem.lock(handle, filesystem.LOCK_SH)  # an old-style writer finishes first
                    try:
                        raw = handle.read()
                    finally:
                        filesystem.unlock(handle)
            except OSError as exc:
                raise ChannelError(f"Cannot read {claimed!r} from the queue") from exc
            try:
                message = loads(bytes_to_str(raw))
                if not isinstance(message, dict) or "body" not in message:
                    raise ValueError("not a kombu message")
            except (ValueError, UnicodeDecodeError) as exc:
                self._quarantine(claimed, filename, raw, exc)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()

    def _quarantine(self, path, filename, raw, exc):
        os.makedirs(self.bad_folder, exist_ok=True)
        target = os.path.join(self.bad_folder, filename)
        try:
            os.replace(path, target)
        except OSError:
            target = "(could not be moved)"
        logger.error(
            "Skipped a malformed message in the broker folder (%d bytes: %s); kept as %s", len(raw), exc, target
        )


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = virtual.BrokerState()
    driver_name = "rse-safe-filesystem"


def register() -> None:
    from kombu.transport import TRANSPORT_ALIASES

    TRANSPORT_ALIASES.setdefault(ALIAS, f"{__name__}:Transport")
