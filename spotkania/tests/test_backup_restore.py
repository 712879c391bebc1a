"""Backup and restore (issue 8, docs/backup.md): a dump restored into an empty database
gives the same activities, costs, participants and follow-up links.

SQLite: the online backup API (what `sqlite3 db.sqlite3 ".backup ..."` uses, safe with WAL
and a running server), restored into an empty file. PostgreSQL: `pg_dump -Fc` and
`pg_restore` into a new, empty database. The restored database is read through Django
with a connection of its own. transaction=True: the data must be committed to be dumped.
"""

import importlib
import os
import shutil
import sqlite3
import subprocess
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from activities import services
from activities.models import Activity
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.money import Money
from employees.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def crm_dictionaries():
    """A transaction=True test starts flushed, without the seeded dictionaries."""
    from django.apps import apps

    from dictionaries.models import ActivityPriority

    if not ActivityPriority.objects.exists():
        seed = importlib.import_module("dictionaries.migrations.0002_seed_dictionaries")
        seed.seed(apps, None)


def make_data() -> None:
    customer = CustomerFactory()
    people = [ContactPersonFactory(customer=customer) for _ in range(2)]
    employees = [EmployeeFactory() for _ in range(2)]
    start = timezone.now().replace(microsecond=0)
    for n in range(5):
        activity = services.activity_create(
            data=services.ActivityInput(
                kind="meeting",
                subject=f"Meeting {n}",
                customer=customer,
                contact_persons=people[: 1 + n % 2],
                employees=employees[: 1 + n % 2],
                start=start + timedelta(days=n),
                place="Kraków",
                expected_cost=Money(Decimal("120.50") + n, "PLN"),
                actual_cost=Money(Decimal("99.99"), "EUR") if n % 2 else None,
            ),
            follow_up=services.FollowUp(value=1, unit="weeks") if n < 3 else None,
        )
        if n == 0:
            services.activity_end(activity=activity)


def fingerprint() -> list[tuple]:
    """What must survive: every activity with its times, costs, status, follow-up link
    and participants, read through the ORM of the current "default" connection."""
    rows = []
    for a in Activity.objects.order_by("pk").prefetch_related("employees", "contact_persons"):
        rows.append(
            (
                a.pk,
                a.subject,
                a.start,
                a.end,
                a.status,
                a.expected_cost,
                a.expected_cost_currency_id,
                a.actual_cost,
                a.actual_cost_currency_id,
                a.previous_id,
                a.version,
                tuple(sorted(e.pk for e in a.employees.all())),
                tuple(sorted(p.pk for p in a.contact_persons.all())),
            )
        )
    return rows


def fingerprint_of(settings_dict: dict) -> list[tuple]:
    """The fingerprint read from another database, in a thread with its own connection."""
    result: list = []
    errors: list = []

    def worker():
        try:
            current = connections["default"]
            connections["default"] = type(current)(settings_dict, "default")
            result.append(fingerprint())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup API needs SQLite")
def test_sqlite_backup_restores_the_same_activities(tmp_path):
    make_data()
    before = fingerprint()
    assert len(before) == 8 and sum(1 for row in before if row[9]) == 3

    backup = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(backup) as target:  # docs/backup.md: the online backup API
        connection.connection.backup(target)
    target.close()
    restored = tmp_path / "restored.sqlite3"  # an empty database, restored from the backup
    with sqlite3.connect(restored) as empty, sqlite3.connect(backup) as source:
        source.backup(empty)
    empty.close()
    source.close()

    after = fingerprint_of({**connection.settings_dict, "NAME": str(restored)})
    assert after == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="the PostgreSQL client programs pg_dump/pg_restore are not installed",
)
def test_postgresql_dump_restores_the_same_activities(tmp_path):
    make_data()
    before = fingerprint()
    assert len(before) == 8 and sum(1 for row in before if row[9]) == 3

    settings_dict = connection.settings_dict
    target_name = f"{settings_dict['NAME']}_restore"
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    server = [
        "-h",
        settings_dict.get("HOST") or "127.0.0.1",
        "-p",
        str(settings_dict.get("PORT") or 5432),
        "-U",
        settings_dict.get("USER") or "postgres",
    ]
    dump = tmp_path / "spotkania.dump"
    run = lambda *args: subprocess.run(args, check=True, env=env, capture_output=True)  # noqa: E731
    run("pg_dump", *server, "-Fc", "-f", str(dump), settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    try:
        run("pg_restore", *server, "--no-owner", "--exit-on-error", "-d", target_name, str(dump))
        after = fingerprint_of({**settings_dict, "NAME": target_name})
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
    assert after == before
