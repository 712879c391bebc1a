"""spotkania.postgresql: Django's PostgreSQL backend with psycopg's C timestamp loader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from spotkania.tests.test_security import run_django


def _engines(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(d['ENGINE'] for d in settings.DATABASES.values()))"
    )
    run = run_django(code, **env)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_postgresql_databases_use_the_backend_and_sqlite_is_left_alone():
    url = "postgres://u@db.invalid:5432/spotkania"
    assert _engines(DATABASE_URL=url) == "spotkania.postgresql"
    assert _engines(DATABASE_URL=url, DATABASE_REPLICA_URL=url + "_replica") == (
        "spotkania.postgresql spotkania.postgresql"
    )
    assert _engines(DATABASE_URL="sqlite:///:memory:") == "django.db.backends.sqlite3"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    from spotkania.postgresql.base import PSYCOPG_LOADER, TIMESTAMPTZ_OID

    # psycopg's C implementation, as psycopg[binary] (locked) installs it.
    assert PSYCOPG_LOADER.__module__.startswith(("psycopg_binary", "psycopg_c"))
    return lambda cursor: cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, 0)


@pytest.mark.django_db
def test_timestamps_are_read_by_psycopgs_loader_aware_in_utc(postgresql):
    from spotkania.postgresql.base import PSYCOPG_LOADER

    with connection.cursor() as cursor:
        assert postgresql(cursor) is PSYCOPG_LOADER
        # The night Poland's clocks go forward (02:00 -> 03:00 on 29 March 2026), given
        # in local offsets, and a date before the epoch.
        cursor.execute(
            "SELECT '2026-03-29 01:59:59+01'::timestamptz, '2026-03-29 03:00:00+02'::timestamptz,"
            " '1969-12-31 23:59:59.5+00'::timestamptz"
        )
        values = cursor.fetchone()
    assert values == (
        datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
    )
    assert all(value.tzinfo is UTC for value in values)


@pytest.mark.django_db
def test_a_session_in_another_zone_keeps_djangos_loader(postgresql):
    from spotkania.postgresql.base import PSYCOPG_LOADER

    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Warsaw'")
    try:
        with connection.cursor() as cursor:
            assert postgresql(cursor) is not PSYCOPG_LOADER
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")


@pytest.mark.django_db
def test_a_statement_with_many_parameters_is_split_once(postgresql):
    """psycopg keeps the conversion of statements up to our limit of parameters (its own
    is 50): the second run of a 77-parameter statement is a hit of its cache."""
    import psycopg._queries as queries

    from spotkania.postgresql.base import CACHED_PARAMS

    assert queries.MAX_CACHED_STATEMENT_PARAMS == CACHED_PARAMS >= 400
    sql = "SELECT 1 WHERE 1 IN (" + ", ".join(["%s"] * 77) + ")"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(range(77)))
        hits = queries._query2pg.cache_info().hits
        cursor.execute(sql, list(range(77)))
        assert queries._query2pg.cache_info().hits == hits + 1
