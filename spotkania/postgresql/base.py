"""Django's PostgreSQL backend, reading timestamps with psycopg's C loader.

Django registers a loader of its own for `timestamptz`: a Python subclass of psycopg's,
which sets each value's zone. psycopg uses its C implementation (psycopg[binary]) only
for its own classes, so every timestamp Django reads is parsed in Python: 7 us against
0.35 us in C on the benchmark's machine, and a page of the API list reads about 75 of
them (bench/RESULTS.md).

When the connection's session time zone is UTC, which Django sets whenever USE_TZ is on
and the database has no TIME_ZONE of its own (our settings), psycopg's C loader returns
what Django's does: an aware datetime in `datetime.timezone.utc` (a review compared the
two on 300 000 values, infinity, BC dates and every precision, on prepared, binary,
named-cursor and COPY reads). This backend then puts the C loader on each cursor; in any
other case it changes nothing. It goes on the cursor, not the connection: Django reads
the connection's loader's `timezone` in create_cursor, which the C class has not (nor
can it be subclassed). The zone is checked when the cursor is made: raw SQL that sets
another zone should do so on a cursor of its own. Settings select this backend in place
of "django.db.backends.postgresql" (spotkania/settings.py).

It also lets psycopg keep its conversion of statements with up to CACHED_PARAMS
parameters (psycopg's own limit is 50): a statement's text, split once into its parts,
is kept in a bounded LRU cache (128 statements). The API list's links statement carries
page ids twice and the ids its rows link to (77 parameters for a page of 25), and was
split anew on every request: 0.3 ms of an API list's 4-5 ms on PostgreSQL here. Set
DJANGO_PG_CACHED_PARAMS=50 for psycopg's default.

Not taken: skipping Django's per-request `SELECT 1` (CONN_HEALTH_CHECKS) when the kept
connection's socket is quiet. It saved ~0.13 ms a request (about 3 % of the API list's
throughput), but a peer that dies silently (a failover to another address, a host
crash, lost NAT state) would then cost a request a 503 that the SELECT 1 spares it.
"""

from __future__ import annotations

import os
from datetime import UTC

import psycopg
import psycopg._queries
from django.db.backends.postgresql import base
from psycopg.pq import Format

CACHED_PARAMS = int(os.environ.get("DJANGO_PG_CACHED_PARAMS", "1024"))
# Read by psycopg each time it converts a statement (tests/test_postgresql_backend.py).
psycopg._queries.MAX_CACHED_STATEMENT_PARAMS = CACHED_PARAMS

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
