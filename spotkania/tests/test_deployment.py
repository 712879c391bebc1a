"""No state in the process: cache and sessions in Redis (REDIS_URL), reports on a replica.

The Redis tests use the local Redis (127.0.0.1:6379, database 15, a key prefix of their
own) and are skipped only when it does not answer; CI runs one.
"""

import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.models import Session
from django.core.cache import caches as cache_handler
from django.http import HttpResponse
from django.urls import reverse

from activities.models import Activity
from spotkania.deployment import caches, session_engine
from spotkania.replica import REPLICA, ReplicaMiddleware, ReplicaRouter, replica_reads

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_settings(settings):
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = caches(REDIS_URL)
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    settings.SESSION_ENGINE = session_engine(REDIS_URL)
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    cache_handler["default"].close()


def test_without_redis_the_cache_is_memory_and_sessions_the_database():
    assert caches("")["default"]["BACKEND"].endswith("LocMemCache")
    assert session_engine("") == "django.contrib.sessions.backends.db"


def test_throttle_counts_are_shared_by_every_process_also_without_redis(tmp_path):
    """Two gunicorn workers with a memory cache each let six reset e-mails through a
    limit of three: without Redis the counts are files every process of the host reads."""
    from django.core.cache.backends.filebased import FileBasedCache

    config = caches("", throttle_dir=str(tmp_path))["throttle"]
    assert config["BACKEND"].endswith("FileBasedCache")
    worker_1 = FileBasedCache(config["LOCATION"], {})
    worker_2 = FileBasedCache(config["LOCATION"], {})
    worker_1.add("count", 0, 60)
    worker_1.incr("count")
    worker_2.incr("count")
    assert worker_1.get("count") == 2
    assert caches(REDIS_URL)["throttle"]["BACKEND"].endswith("RedisCache")
    assert caches(REDIS_URL)["throttle"]["KEY_PREFIX"] != caches(REDIS_URL)["default"]["KEY_PREFIX"]


@needs_redis
def test_the_cache_is_shared_through_redis(redis_settings):
    cache = cache_handler["default"]
    cache.set("answer", 42, 30)

    raw = redis.Redis.from_url(REDIS_URL)
    assert raw.exists(f"{redis_settings}:1:answer")
    assert cache.get("answer") == 42


@needs_redis
@pytest.mark.django_db
def test_a_login_session_lives_in_redis_and_the_database(redis_settings, client, employee):
    client.force_login(employee.user)
    key = client.cookies["sessionid"].value

    response = client.get(reverse("activities:list"))

    assert response.status_code == 200
    raw = redis.Redis.from_url(REDIS_URL)
    assert raw.exists(f"{redis_settings}:1:{CachedDbStore.cache_key_prefix}{key}")
    # Written through to the database too: a Redis restart logs nobody out.
    assert Session.objects.filter(session_key=key).exists()


@pytest.fixture
def with_replica(monkeypatch):
    """A replica in DATABASES (the router only looks at its name)."""
    monkeypatch.setitem(django_settings.DATABASES, REPLICA, django_settings.DATABASES["default"])


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    router = ReplicaRouter()

    assert router.db_for_read(Activity) is None
    with replica_reads():
        assert router.db_for_read(Activity) == REPLICA
        assert router.db_for_write(Activity) == "default"
    assert router.allow_migrate(REPLICA, "activities") is False


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/reports/costs/", REPLICA),
        ("GET", "/api/v1/reports/costs", REPLICA),
        ("GET", "/customers/1/", None),
        ("POST", "/reports/costs/", None),
    ],
)
def test_only_reads_of_report_addresses_go_to_the_replica(with_replica, rf, method, path, expected):
    seen = []

    def view(request):
        seen.append(ReplicaRouter().db_for_read(Activity))
        return HttpResponse()

    ReplicaMiddleware(view)(rf.generic(method, path))

    assert seen == [expected]
    assert ReplicaRouter().db_for_read(Activity) is None, "nothing leaks past the request"


def _database_options(**env) -> str:
    from spotkania.tests.test_security import run_django

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "options = settings.DATABASES['default'].get('OPTIONS', {}); "
        "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    run = run_django(code, DATABASE_URL="postgres://u@db.invalid:5432/spotkania", **env)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_postgresql_prepares_statements_unless_told_not_to():
    assert _database_options() == "True 2"
    assert _database_options(DJANGO_PG_PREPARE="0") == "None None"


@pytest.mark.django_db
def test_a_statement_asked_again_on_a_connection_is_prepared():
    """The lists' statements, the same text on every request (spotkania.shapes), are
    planned once per connection by PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cursor.fetchone()[0]
    for _ in range(3):
        list(Activity.objects.filter(customer_id=1, kind="meeting").values_list("id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > before
