"""The transactional outbox: the one way to enqueue a Celery task from a write.

`enqueue_on_commit(task, *args, **kwargs)` writes a row (rse.outbox.OutboxMessage) in the caller's
transaction and hands the task to the broker once the transaction commits. If the broker is down
at that moment, nothing is lost and the request does not fail: the row stays, and is sent again by
the `rse.outbox.drain` beat task (every minute) and as soon as a later send from the same process
succeeds. A row is deleted when its task has *succeeded* (Celery's task_success signal, through the
`rse_outbox` message header), not when it was sent: a message the broker lost (a worker killed on
the embedded filesystem broker) is sent again once `RSE_OUTBOX_REDELIVER_AFTER` seconds have
passed without success, up to `RSE_OUTBOX_MAX_SENDS` times (then it waits in the admin, "Outbox
messages"). Delivery is therefore at least once: **tasks enqueued this way must be idempotent**
(take ids, claim their work under a condition, STYLE pattern 4), which makes the effect exactly once.

    from rse.lib.outbox import enqueue_on_commit
    enqueue_on_commit(apply_import_task, job.pk)              # positional and keyword arguments
    enqueue_on_commit("communities.notifications.fan_out", kind, ids, actor_id=4)   # or by name

Arguments must be plain JSON (ids, strings, numbers): checked at once, in the caller.
Rolled back with the transaction, the row and the send disappear together.
"""

import json
import logging
from datetime import timedelta

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rse.lib.breaker import Breaker

logger = logging.getLogger(__name__)

HEADER = "rse_outbox"
broker = Breaker("Celery broker", cooldown=10.0)
_backlog = {"suspected": False}  # a send failed in this process: drain once the broker answers again


def _publish_errors():
    from kombu.exceptions import KombuError
    from redis.exceptions import RedisError

    return (KombuError, RedisError, ConnectionError, TimeoutError, OSError)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue `task(*args, **kwargs)` for after the commit of the current transaction (see above)."""
    from rse.outbox.models import OutboxMessage

    name = task if isinstance(task, str) else task.name
    json.dumps([args, kwargs])  # plain JSON, or fail here, in the service and its test
    message = OutboxMessage.objects.create(task=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: send_now([message]))
    return message


def _due(now):
    redeliver = now - timedelta(seconds=settings.RSE_OUTBOX_REDELIVER_AFTER)
    return Q(sent_at__isnull=True) | Q(sent_at__lt=redeliver)


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _task(name):
    try:
        return current_app.tasks[name]
    except KeyError:  # NotRegistered: a web process imports task modules only when used
        current_app.loader.import_default_modules()  # CELERY_IMPORTS and every app's tasks.py
        return current_app.tasks[name]


def _send(message) -> str:
    """Claim the row, hand it to the broker: "sent", "taken" (someone else has it) or "failed"."""
    from rse.outbox.models import OutboxMessage

    now = timezone.now()
    claimed = OutboxMessage.objects.filter(_due(now), pk=message.pk).update(sent_at=now, sends=F("sends") + 1)
    if not claimed:
        return "taken"
    try:
        task = _task(message.task)
        task.apply_async(args=message.args, kwargs=message.kwargs, headers={HEADER: message.pk}, retry=False)
    except Exception as exc:
        if _eager() and not isinstance(exc, _publish_errors()):
            raise  # tests: the task itself failed (eager), not the broker
        OutboxMessage.objects.filter(pk=message.pk).update(
            sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        broker.trip(exc)
        _backlog["suspected"] = True
        return "failed"
    return "sent"


def send_now(messages) -> None:
    """After the commit: send these rows at once, unless the broker failed a moment ago."""
    if broker.is_open():
        return  # the drain sends them once the broker is back
    for message in messages:
        if _send(message) == "failed":
            return
    if _backlog["suspected"]:
        _backlog["suspected"] = False
        try:
            drain_outbox_task.apply_async(retry=False)
        except Exception:  # the beat drains every minute anyway
            if _eager():
                raise
            logger.warning("could not queue an outbox drain", exc_info=True)


def drain(limit: int = 500) -> int:
    """Send the rows that are due (never sent, or sent long ago without success); stops at the
    first broker failure. Returns how many were sent. Run twice, it sends nothing twice."""
    from rse.outbox.models import OutboxMessage

    due = OutboxMessage.objects.filter(_due(timezone.now()), sends__lt=settings.RSE_OUTBOX_MAX_SENDS).order_by("id")
    sent = 0
    for message in due[:limit]:
        result = _send(message)
        if result == "failed":
            break
        sent += result == "sent"
    if sent:
        broker.reset()
    return sent


def task_succeeded(sender=None, **kwargs) -> None:
    """Celery's task_success: the task of an outbox row is done, the row goes."""
    request = getattr(sender, "request", None)
    if request is None:
        return
    pk = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    if pk:
        from rse.outbox.models import OutboxMessage

        OutboxMessage.objects.filter(pk=pk).delete()


@shared_task(name="rse.outbox.drain", acks_late=True)
def drain_outbox_task():
    """Beat, every minute (CELERY_BEAT_SCHEDULE), and after a send succeeds again."""
    return drain()
