"""Reports read from a PostgreSQL read replica when `DATABASE_REPLICA_URL` is set.

The cost report sums every activity of a period: the heaviest read of the app, and one
that tolerates data a second or two old. A request to a report's address (the page, its
exports and `GET /api/v1/reports/...`, see `REPLICA_PATHS`) runs its reads on the
"replica" database; everything else, and every write anywhere, stays on "default", so a
user never misses what they have just saved. Without `DATABASE_REPLICA_URL` neither the
middleware nor the router is installed (see settings.py) and all goes to "default".
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
_reading_from_replica = contextvars.ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads():
    """Reads inside the block go to the replica (when one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    """Sends reads to the replica inside `replica_reads()`; writes and migrations to the
    primary (the replica is a streaming copy of it, never migrated on its own)."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    """Runs the requests of report addresses (`settings.REPLICA_PATHS`) in
    `replica_reads()`. A report writes nothing, so nothing is lost by reading a copy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.REPLICA_PATHS)

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path.startswith(self.prefixes):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
