"""Django's PostgreSQL backend, with two savings on every request: timestamps read by
psycopg's C loader, and the health check of a kept connection made without a round trip
when the connection's socket shows it alive (`close_if_health_check_failed`).

Django registers a loader of its own for `timestamptz`: a Python subclass of psycopg's,
which sets each value's zone. psycopg uses its C implementation (psycopg[binary]) only
for its own classes, so every timestamp Django reads is parsed in Python: 7 us against
0.35 us in C on the benchmark's machine, and a page of the API list reads about 75 of
them (bench/RESULTS.md).

When the connection's session time zone is UTC, which Django sets whenever USE_TZ is on
and the database has no TIME_ZONE of its own (our settings), psycopg's C loader returns
what Django's does: an aware datetime in `datetime.timezone.utc`. This backend then puts
the C loader on each cursor; in any other case it changes nothing. Settings select it in
place of "django.db.backends.postgresql" (spotkania/settings.py).
"""

from __future__ import annotations

import select
from datetime import UTC

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus, Format, TransactionStatus

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
# psycopg's own default loader: the C one when psycopg[binary] (or psycopg[c]) is
# installed, the Python one otherwise.
PSYCOPG_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        # Django's loader (set by super() on the connection or the cursor) stays where
        # the zones differ. Checked per cursor: a SET TIME ZONE could change it.
        if self.timezone is UTC and cursor.connection.info.timezone is UTC:
            cursor.adapters.register_loader(TIMESTAMPTZ_OID, PSYCOPG_LOADER)
        return cursor

    def close_if_health_check_failed(self):
        """The health check (CONN_HEALTH_CHECKS) without a round trip when it can tell.

        Django checks a kept connection with a `SELECT 1` before each request's first
        query, one more round trip per request, so that a connection the server closed
        (a restart, an idle timeout, pg_terminate_backend) is replaced instead of failing
        the request. A server that closes a connection says so on its socket (an error
        message, then end of file), which makes the socket readable; an idle connection
        that nobody has written to is otherwise silent. So: nothing to read on an idle,
        sound connection means alive (as go-sql-driver/mysql's connCheck reads it);
        anything to read, and any doubt, falls back to Django's `SELECT 1`."""
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        connection = self.connection
        try:
            if (
                connection.closed
                or connection.pgconn.status != ConnStatus.OK
                or connection.info.transaction_status != TransactionStatus.IDLE
            ):
                return False
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return not readable
