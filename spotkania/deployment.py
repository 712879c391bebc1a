"""Where the cache and the sessions live: read by settings.py, tested on their own.

The app keeps no state in its processes, so any number of them (gunicorn workers, app
servers behind a load balancer) can serve any request:

- with `REDIS_URL` (production): the cache in Redis, shared by every process; sessions
  `cached_db`, read from Redis and written to the database as well, so a Redis restart
  logs nobody out;
- without it (a laptop, the tests): a per-process memory cache, which only ever holds
  what can be computed again, and sessions in the database.

Throttling counters (the password reset's, spotkania/throttling.py) are the exception:
they cannot be computed again, and a per-process count multiplies the limit by the number
of workers (two gunicorn workers let six reset e-mails through a limit of three). They
have a cache of their own, `throttle`: Redis with `REDIS_URL`, else files in a folder
every process on the host shares (`throttle_dir`). Login failures are counted in the
database by django-axes.
"""

from __future__ import annotations


def caches(redis_url: str | None, throttle_dir: str = "") -> dict:
    if redis_url:
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            # Seconds to give up on a Redis that does not answer.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        return {
            "default": {**redis, "KEY_PREFIX": "spotkania"},
            "throttle": {**redis, "KEY_PREFIX": "spotkania-throttle"},
        }
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": throttle_dir,
        },
    }


def session_engine(redis_url: str | None) -> str:
    if redis_url:
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"
