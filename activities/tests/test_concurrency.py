"""Simultaneous clicks (issue 8): two threads ending, or scheduling the next contact of, the
same activity at once make one result; concurrent writers on SQLite wait for each other
instead of failing with "database is locked".

Real threads with their own database connections, so these are transaction=True tests.
On PostgreSQL each thread connects to the test database. SQLite's in-memory test database
cannot show two connections writing, so on SQLite the test database is copied (backup
API) into a file and every thread opens its own connection to that file with the
project's settings (WAL, IMMEDIATE transactions, busy timeout).
"""

import importlib
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from activities import services
from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory
from customers.tests.factories import ContactPersonFactory
from employees.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def crm_dictionaries():
    """A transaction=True test starts from a flushed database, without the priorities,
    categories and currencies the data migrations seeded; the seed is run again."""
    from django.apps import apps

    from dictionaries.models import ActivityPriority

    if not ActivityPriority.objects.exists():
        seed = importlib.import_module("dictionaries.migrations.0002_seed_dictionaries")
        seed.seed(apps, None)


THREADS = 2


@pytest.fixture
def database_file(tmp_path):
    """On SQLite: a file copy of the test database, opened by each thread; None otherwise."""
    if connection.vendor != "sqlite":
        yield None
        return
    yield tmp_path / "concurrency.sqlite3"


def _copy_to_file(path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # A project database is in WAL mode from its first connection on (settings.py); the
    # copy of the in-memory one is made so too, before the threads open it.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()


def run_together(database_file, calls: list[Callable]) -> list:
    """Runs the calls at the same moment, one thread and one connection each; returns what
    each returned or raised."""
    if database_file is not None:
        _copy_to_file(database_file)
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int, call: Callable) -> None:
        try:
            if database_file is not None:
                _use_file(database_file)
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _use_file(path) -> None:
    """This thread's "default" connection: the file, with the project's SQLite options."""
    current = connections["default"]
    settings_dict = {**current.settings_dict, "NAME": str(path)}
    connections["default"] = type(current)(settings_dict, "default")


def read(database_file, query: Callable):
    """Reads the state after the race from the database the threads wrote to."""
    return query() if database_file is None else _read_file(database_file, query)


def _read_file(path, query: Callable):
    result: list = []

    def worker():
        try:
            _use_file(path)
            result.append(query())
        finally:
            connections.close_all()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    return result[0]


def test_two_simultaneous_ends_make_one_result(database_file):
    activity = ActivityFactory()
    results = run_together(
        database_file,
        [lambda: services.activity_end(activity=Activity(pk=activity.pk))] * THREADS,
    )

    ended = [r for r in results if isinstance(r, Activity)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ended) == 1, results
    assert len(refused) == THREADS - 1, results
    assert refused[0].code == "status"  # "Only a planned activity can be ended."
    status, version = read(
        database_file,
        lambda: Activity.objects.values_list("status", "version").get(pk=activity.pk),
    )
    assert (status, version) == (ActivityStatus.ENDED, 2)


def test_two_simultaneous_follow_ups_make_one(database_file):
    activity = ActivityFactory()
    follow_up = services.FollowUp(value=5, unit="hours")
    results = run_together(
        database_file,
        [
            lambda: services.follow_up_schedule(
                activity=Activity(pk=activity.pk), follow_up=follow_up
            )
        ]
        * THREADS,
    )

    created = [r for r in results if isinstance(r, Activity)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1, results
    assert len(refused) == THREADS - 1, results
    successors = read(database_file, lambda: list(Activity.objects.filter(previous_id=activity.pk)))
    assert [s.pk for s in successors] == [created[0].pk]
    assert successors[0].start == activity.start + timedelta(hours=5)


def test_ending_while_following_up_gives_both_once(database_file):
    activity = ActivityFactory()
    follow_up = services.FollowUp(value=2, unit="days")
    results = run_together(
        database_file,
        [
            lambda: services.activity_end(activity=Activity(pk=activity.pk)),
            lambda: services.follow_up_schedule(
                activity=Activity(pk=activity.pk), follow_up=follow_up
            ),
        ],
    )
    assert all(isinstance(r, Activity) for r in results), results
    count = read(database_file, lambda: Activity.objects.filter(previous_id=activity.pk).count())
    assert count == 1


def test_concurrent_writers_wait_instead_of_failing(database_file):
    """Eight people save a new meeting at the same moment: all eight are saved. On SQLite
    this holds because transactions are IMMEDIATE with a busy timeout (settings.py): a
    writer waits for the lock at BEGIN instead of failing half-way."""
    if database_file is not None:
        options = connection.settings_dict["OPTIONS"]
        assert options.get("transaction_mode") == "IMMEDIATE"
        assert options.get("timeout", 0) >= 5
    template = ActivityFactory()
    employees = [EmployeeFactory() for _ in range(8)]
    contact = ContactPersonFactory(customer=template.customer)

    def create(employee):
        start = timezone.now().replace(microsecond=0) + timedelta(days=1)
        return services.activity_create(
            data=services.ActivityInput(
                kind="meeting",
                subject=f"Written by {employee.pk}",
                customer=template.customer,
                contact_persons=[contact],
                employees=[employee],
                start=start,
            ),
            follow_up=services.FollowUp(value=1, unit="days"),
        )

    results = run_together(database_file, [lambda e=e: create(e) for e in employees])

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    total = read(
        database_file, lambda: Activity.objects.filter(subject__startswith="Written").count()
    )
    assert total == 16  # eight meetings and their eight follow-ups
