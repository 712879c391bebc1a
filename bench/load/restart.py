"""PostgreSQL restart under load (issue 8, "Database faults"): proof that nothing is lost.

Creates a throw-away PostgreSQL database on 127.0.0.1 (migrate, seed_demo), starts the
production server (gunicorn through bench/load/serve.sh, DEBUG off, on a free port), runs
the load of load.py (pages, API reads, API creates with a follow-up) and restarts the
PostgreSQL cluster in the middle (pg_ctlcluster ... restart, then waits for pg_isready).
gunicorn is NOT restarted. It reports:

- status codes over time (per 2 s, and before / during / after the restart);
- that every failure was a clean 503 (JSON `{"detail": ...}` under /api/, the 503 page with
  `id="database-unavailable"` for pages), never a 500 or a connection closed without answer;
- how long until requests succeeded again;
- consistency in the database: every load-test create (a unique subject per request) has
  exactly its follow-up; no original without `next`, no follow-up without `previous`; every
  create answered 201 is in the database and no create answered 503 is.

The database is dropped at the end unless --keep. Standard library + psql/pg_ctlcluster.

    .venv/bin/python bench/load/restart.py --clients 20 --seconds 40 --restart-at 15
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Client, fixtures

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", *PG, "-d", db, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Sample:
    __slots__ = ("detail", "kind", "status", "subject", "t0", "t1", "verdict")

    def __init__(self, t0, t1, kind, status, verdict, subject=None, detail=""):
        self.t0, self.t1, self.kind, self.status = t0, t1, kind, status
        self.verdict, self.subject, self.detail = verdict, subject, detail


class RestartClient(Client):
    """No silent retry: a request that gets no answer is recorded as dropped.

    The one exception is a GET on a reused keep-alive connection that the server had
    already closed (gunicorn's keepalive timeout): resent once on a new connection and
    counted separately. A POST is never resent (it could be written twice).
    """

    reconnects = 0
    reconnect_times: list[float] = []

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = getattr(self.conn, "_used", False)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                self.conn._used = True
                break
            except (http.client.HTTPException, ConnectionError, TimeoutError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2 or method != "GET" or not reused:
                    raise
                RestartClient.reconnects += 1
                RestartClient.reconnect_times.append(time.monotonic())
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.last_headers = response.headers
        return response.status, data


def classify(path_is_api: bool, status: int, headers, data: bytes) -> str:
    if status in (200, 201):
        return "ok"
    if status == 503:
        ctype = headers.get("Content-Type", "")
        if path_is_api:
            try:
                ok = "application/json" in ctype and "detail" in json.loads(data)
            except ValueError:
                ok = False
        else:
            ok = "text/html" in ctype and b'id="database-unavailable"' in data
        return "clean 503" if ok and headers.get("Retry-After") else "unclean 503"
    return f"bad {status}"


def one(client: RestartClient, ids: dict, run_id: str, counter) -> Sample:
    rng = client.rng
    roll = rng.random()
    subject = None
    t0 = time.monotonic()
    if roll < 0.15:
        kind, method, path = "page", "GET", "/activities/"
    elif roll < 0.30:
        kind, method, path = "page", "GET", "/customers/"
    elif roll < 0.45:
        kind, method, path = "page", "GET", f"/activities/{rng.choice(ids['activities'])}/"
    elif roll < 0.65:
        kind, method, path = "api GET", "GET", "/api/v1/activities?page_size=25"
    elif roll < 0.80:
        kind, method, path = "api GET", "GET", "/api/v1/customers?page_size=25"
    else:
        kind, method, path = "api POST", "POST", "/api/v1/activities"
    try:
        if kind == "page":
            status, data = client.request(method, path)
        elif method == "GET":
            status, data = client.api(method, path)
        else:
            customer, contacts = rng.choice(ids["customers"])
            start = datetime.now(UTC) + timedelta(days=rng.randint(1, 300), hours=2)
            subject = f"Load restart {run_id} #{next(counter)}"
            payload = {
                "kind": "meeting",
                "subject": subject,
                "customer": customer,
                "contact_persons": [rng.choice(contacts)],
                "employees": [rng.choice(ids["employees"])],
                "start": start.replace(microsecond=0).isoformat(),
                "in_schedule": False,
                "expected_cost": {"amount": "100.00", "currency": "PLN"},
                "follow_up": {"in": {"value": 1, "unit": "weeks"}},
            }
            status, data = client.api(method, path, payload)
    except Exception as exc:  # no answer at all
        return Sample(t0, time.monotonic(), kind, 0, "dropped", subject, repr(exc))
    verdict = classify(path.startswith("/api/"), status, client.last_headers, data)
    detail = "" if verdict in ("ok", "clean 503") else data[:300].decode(errors="replace")
    return Sample(t0, time.monotonic(), kind, status, verdict, subject, detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--restart-at", type=float, default=15, help="seconds into the load")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    db = f"spotkania_restart_{run_id}"
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
        raise SystemExit(f"database {db} exists already")
    psql(f'CREATE DATABASE "{db}"')
    url = f"postgres://postgres@127.0.0.1:5432/{db}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="restart-test-only-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_STATIC_ROOT=f"/tmp/spotkania-restart-static-{run_id}",
    )
    port = args.port or free_port()
    server = None
    log = f"/tmp/spotkania-restart-gunicorn-{run_id}.log"
    try:
        print(f"database {db}: migrate, seed_demo, collectstatic", flush=True)
        for cmd in (
            ["migrate", "--noinput", "-v", "0"],
            ["seed_demo", "--seed", "1"],
            ["collectstatic", "--noinput", "-v", "0"],
        ):
            subprocess.run(
                [PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        # serve.sh sets its own (load-test) secret key; DJANGO_HTTPS=0 passes through.
        app_log = open(log.replace(".log", "-app.log"), "w")  # noqa: SIM115 (the app log)
        server = subprocess.Popen(
            [str(ROOT / "bench/load/serve.sh"), url, str(port), log],
            env=env,
            cwd=ROOT,
            stdout=app_log,
            stderr=app_log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        print(f"gunicorn pid {server.pid} on {base}; load average {load_avg()}", flush=True)

        clients = [RestartClient(base, "demo", "demo", seed=i) for i in range(args.clients)]
        for c in clients:
            c.login()
        ids = fixtures(clients[0])
        # Logging in 20 clients takes longer than gunicorn's keep-alive (2 s): start every
        # client on a fresh connection, or its first POST would meet a closed socket.
        for c in clients:
            c.conn.close()
            c.conn = http.client.HTTPConnection(c.host, c.port, timeout=60)
        counter_lock = threading.Lock()
        numbers = iter(range(1, 10**9))

        class Counter_:
            def __next__(self):
                with counter_lock:
                    return next(numbers)

        counter = Counter_()
        samples: list[Sample] = []
        lock = threading.Lock()
        gate = threading.Barrier(args.clients + 3)
        watching = threading.Event()
        watching.set()
        marks: dict[str, float] = {}
        load_before = load_avg()

        def run(client):
            mine = []
            gate.wait()
            while time.monotonic() < marks["stop"]:
                mine.append(one(client, ids, run_id, counter))
            with lock:
                samples.extend(mine)

        def restarter():
            gate.wait()
            time.sleep(args.restart_at)
            marks["restart"] = time.monotonic()
            marks["load_during"] = load_avg()
            res = subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
                capture_output=True,
                text=True,
            )
            marks["restart_rc"] = res.returncode
            marks["restart_out"] = (res.stdout + res.stderr).strip()
            marks["restart_done"] = time.monotonic()
            while not pg_ready():
                time.sleep(0.05)
            marks["ready_polled"] = time.monotonic()
            watching.clear()

        def watcher():
            # pg_isready every 50 ms while the restart runs: when it went down, when it came up
            gate.wait()
            while "restart" not in marks:
                time.sleep(0.01)
            while watching.is_set():
                up = pg_ready()
                now = time.monotonic()
                if not up and "down" not in marks:
                    marks["down"] = now
                if up and "down" in marks and "ready" not in marks:
                    marks["ready"] = now
                time.sleep(0.05)

        threads = [threading.Thread(target=run, args=(c,)) for c in clients]
        threads.append(threading.Thread(target=restarter))
        threads.append(threading.Thread(target=watcher))
        for t in threads:
            t.start()
        marks["start"] = time.monotonic()
        marks["stop"] = marks["start"] + args.seconds
        gate.wait()
        for t in threads:
            t.join()
        load_after = load_avg()
        gunicorn_alive = server.poll() is None
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)

    for _ in range(200):
        if pg_ready():
            break
        time.sleep(0.1)

    # --- the report ---------------------------------------------------------------------
    t_start, t_restart = marks["start"], marks["restart"]
    t_ready = marks.get("ready", marks["ready_polled"])

    def phase(s: Sample) -> str:
        if s.t0 < t_restart:
            return "before" if s.t1 < t_restart else "during"
        return "during" if s.t0 < t_ready else "after"

    table: dict[str, Counter] = {p: Counter() for p in ("before", "during", "after")}
    for s in samples:
        table[phase(s)][(s.verdict, s.status)] += 1
    buckets: dict[int, Counter] = {}
    for s in samples:
        buckets.setdefault(int((s.t1 - t_start) // 2) * 2, Counter())[s.verdict] += 1
    failures = [s for s in samples if s.verdict != "ok"]
    bad = [s for s in failures if s.verdict != "clean 503"]
    last_fail = max((s.t1 for s in failures), default=None)
    first_fail = min((s.t0 for s in failures), default=None)
    after_last = [s for s in samples if last_fail is not None and s.t0 > last_fail]
    first_ok_after_ready = min(
        (s.t1 for s in samples if s.verdict == "ok" and s.t0 >= t_ready), default=None
    )

    # consistency in the database
    like = f"Load restart {run_id} #%"
    q = lambda sql: psql(sql, db)  # noqa: E731
    originals = int(
        q(
            f"SELECT count(*) FROM activities_activity a WHERE subject LIKE '{like}' "
            "AND previous_id IS NULL AND EXISTS (SELECT 1 FROM activities_activity n "
            "WHERE n.previous_id = a.id)"
        )
    )
    follow_ups = int(
        q(
            f"SELECT count(*) FROM activities_activity WHERE subject LIKE '{like}' "
            "AND previous_id IS NOT NULL"
        )
    )
    # created by the API but without its follow-up (or a follow-up that lost its previous:
    # previous is SET_NULL, so both look alike: a load row with neither previous nor next)
    orphans = int(
        q(
            f"SELECT count(*) FROM activities_activity a WHERE subject LIKE '{like}' "
            "AND previous_id IS NULL AND NOT EXISTS (SELECT 1 FROM activities_activity n "
            "WHERE n.previous_id = a.id)"
        )
    )
    dangling = int(
        q(
            f"SELECT count(*) FROM activities_activity f WHERE subject LIKE '{like}' "
            "AND previous_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            "activities_activity p WHERE p.id = f.previous_id AND p.subject = f.subject)"
        )
    )
    per_subject = q(
        f"SELECT subject, count(*) FROM activities_activity WHERE subject LIKE "
        f"'{like}' GROUP BY subject HAVING count(*) <> 2"
    )
    in_db = set(
        filter(
            None,
            q(
                f"SELECT DISTINCT subject FROM activities_activity WHERE subject LIKE '{like}'"
            ).splitlines(),
        )
    )
    posts = [s for s in samples if s.subject]
    created = {s.subject for s in posts if s.status == 201}
    refused = {s.subject for s in posts if s.status != 201}
    missing = created - in_db
    saved_despite_503 = refused & in_db

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": db,
        "clients": args.clients,
        "seconds": args.seconds,
        "cpu_cores": os.cpu_count(),
        "load_average": {
            "before": load_before,
            "during": marks["load_during"],
            "after": load_after,
        },
        "restart_rc": marks["restart_rc"],
        "restart_output": marks["restart_out"],
        "restart_at_s": round(t_restart - t_start, 2),
        "restart_command_s": round(marks["restart_done"] - t_restart, 2),
        "pg_down_after_restart_began_s": round(marks["down"] - t_restart, 2)
        if "down" in marks
        else None,
        "pg_accepting_again_after_restart_began_s": round(t_ready - t_restart, 2),
        "gunicorn_alive_at_end": gunicorn_alive,
        "requests": len(samples),
        "phases": {
            p: {f"{v} {st}": n for (v, st), n in sorted(c.items())} for p, c in table.items()
        },
        "per_2s": {str(k): dict(v) for k, v in sorted(buckets.items())},
        "failures": len(failures),
        "not_clean_failures": len(bad),
        "not_clean_samples": [(s.kind, s.status, s.verdict, s.detail[:200]) for s in bad[:10]],
        "keepalive_get_resends": RestartClient.reconnects,
        "keepalive_get_resends_at_s": [
            round(t - t_start, 2) for t in RestartClient.reconnect_times
        ],
        "first_failure_s": None if first_fail is None else round(first_fail - t_start, 2),
        "last_failure_end_s": None if last_fail is None else round(last_fail - t_start, 2),
        "outage_window_s": None if first_fail is None else round(last_fail - first_fail, 2),
        "last_failure_after_pg_ready_s": None
        if last_fail is None
        else round(last_fail - t_ready, 2),
        "last_failure_after_restart_began_s": None
        if last_fail is None
        else round(last_fail - t_restart, 2),
        "first_success_after_pg_ready_s": None
        if first_ok_after_ready is None
        else round(first_ok_after_ready - t_ready, 2),
        "requests_after_last_failure": len(after_last),
        "all_ok_after_last_failure": all(s.verdict == "ok" for s in after_last),
        "consistency": {
            "api_creates_sent": len(posts),
            "api_creates_201": len(created),
            "api_creates_refused": len(refused),
            "originals_with_follow_up": originals,
            "follow_ups": follow_ups,
            "load_rows_without_previous_or_next": orphans,
            "follow_ups_whose_previous_is_missing": dangling,
            "subjects_not_exactly_two_rows": per_subject.splitlines(),
            "answered_201_but_not_in_db": len(missing),
            "answered_non_201_but_saved": len(saved_despite_503),
        },
        "gunicorn_log": log,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    if not args.keep:
        psql(f'DROP DATABASE "{db}"')
    print("pg_isready:", "accepting connections" if pg_ready() else "NOT READY", flush=True)


if __name__ == "__main__":
    main()
