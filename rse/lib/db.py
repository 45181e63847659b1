"""Reads that may lag a little go to the read replica: analytics, dashboards, exports.

    from rse.lib.db import replica

    with replica():
        rows = list(Post.objects.filter(...).values(...))   # read from DATABASE_REPLICA_URL

Without DATABASE_REPLICA_URL everything stays on the primary, so code written this way runs
unchanged on a single database. Writes always go to the primary, even inside `replica()`,
and migrations never run on the replica (it is a copy of the primary, kept by PostgreSQL's
streaming replication). A replica lags the primary by a moment: never read there what the
same request has just written.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("rse_reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica():
    """Reads inside the block go to the replica when there is one (a context variable: it holds
    for this thread or task only, and nests)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: an object read there may point at one
        # read from the primary.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
