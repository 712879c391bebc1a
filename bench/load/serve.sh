#!/bin/sh
# The production server for the load test: gunicorn (locked in requirements.lock), 5 workers
# of 4 threads, DEBUG off, on 127.0.0.1 only.
#   bench/load/serve.sh DATABASE_URL PORT LOGFILE
set -e
cd "$(dirname "$0")/../.."
if ss -ltn 2>/dev/null | grep -q "127.0.0.1:$2 "; then
    echo "port $2 is in use: choose another (the load test must hit this server)" >&2
    exit 1
fi
export DATABASE_URL="$1" DJANGO_DEBUG=0 DJANGO_LOG_LEVEL=WARNING DJANGO_SECRET_KEY=load-test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz
exec .venv/bin/gunicorn spotkania.wsgi -b 127.0.0.1:$2 -w 5 --threads 4 --access-logfile /dev/null --error-logfile "${3:-/dev/stderr}"
