"""Load test of issue 8: N concurrent clients for D seconds against a running server.

Each client is a thread with its own keep-alive HTTP connection, logged in both ways (a
session for the pages, a Bearer token for the API). It loops over a mix of requests:

- 45 % pages: the activity list, the customer list, an activity's page;
- 35 % API reads: GET /api/v1/activities, GET /api/v1/customers;
- 20 % API writes: POST /api/v1/activities (a meeting with a follow-up).

Prints (and writes as JSON with --json) requests, throughput, p50/p95/p99 and errors
(any status other than 200/201, or a failed connection). Standard library only.

    python bench/load/load.py --base http://127.0.0.1:8765 --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlparse


class Client:
    def __init__(self, base: str, username: str, password: str, seed: int) -> None:
        url = urlparse(base)
        self.host, self.port = url.hostname, url.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.rng = random.Random(seed)
        self.token = ""
        self.username, self.password = username, password

    def request(self, method: str, path: str, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, TimeoutError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urlencode(
            {"username": self.username, "password": self.password, "csrfmiddlewaretoken": csrf}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://x/"},
        )
        if status != 302:
            raise SystemExit(f"login failed: {status}")
        body = json.dumps({"username": self.username, "password": self.password})
        status, data = self.request(
            "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
        )
        if status not in (200, 201):
            raise SystemExit(f"token failed: {status} {data[:200]!r}")
        self.token = json.loads(data)["token"]

    def api(self, method: str, path: str, payload=None):
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}
        body = None
        if payload is not None:
            body = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        return self.request(method, path, body, headers)


def fixtures(client: Client) -> dict:
    """Ids to build requests from: activities, customers with their contact persons."""
    _, data = client.api("GET", "/api/v1/activities?page_size=100")
    activities = [a["id"] for a in json.loads(data)["items"]]
    _, data = client.api("GET", "/api/v1/customers?page_size=50&is_active=true")
    customers = []
    for c in json.loads(data)["items"]:
        _, contacts = client.api("GET", f"/api/v1/customers/{c['id']}/contacts")
        ids = [p["id"] for p in json.loads(contacts)["items"] if p["is_active"]]
        if ids:
            customers.append((c["id"], ids))
    _, data = client.api("GET", "/api/v1/employees?page_size=50")
    employees = [e["id"] for e in json.loads(data)["items"] if e.get("is_active", True)]
    return {"activities": activities, "customers": customers, "employees": employees}


def one_request(client: Client, ids: dict) -> tuple[str, int]:
    roll = client.rng.random()
    if roll < 0.15:
        return "page /activities/", client.request("GET", "/activities/")[0]
    if roll < 0.30:
        return "page /customers/", client.request("GET", "/customers/")[0]
    if roll < 0.45:
        pk = client.rng.choice(ids["activities"])
        return "page /activities/<id>/", client.request("GET", f"/activities/{pk}/")[0]
    if roll < 0.65:
        return "api GET activities", client.api("GET", "/api/v1/activities?page_size=25")[0]
    if roll < 0.80:
        return "api GET customers", client.api("GET", "/api/v1/customers?page_size=25")[0]
    customer, contacts = client.rng.choice(ids["customers"])
    start = datetime.now(UTC) + timedelta(days=client.rng.randint(1, 300), hours=2)
    payload = {
        "kind": "meeting",
        "subject": "Load test",
        "customer": customer,
        "contact_persons": [client.rng.choice(contacts)],
        "employees": [client.rng.choice(ids["employees"])],
        "start": start.replace(microsecond=0).isoformat(),
        "in_schedule": False,
        "expected_cost": {"amount": "100.00", "currency": "PLN"},
        "follow_up": {"in": {"value": 1, "unit": "weeks"}},
    }
    return "api POST activity", client.api("POST", "/api/v1/activities", payload)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if urlparse(args.base).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load test runs against 127.0.0.1 only")

    clients = [Client(args.base, args.username, args.password, seed=i) for i in range(args.clients)]
    for c in clients:
        c.login()
    ids = fixtures(clients[0])
    samples: list[tuple[str, int, float]] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(args.clients + 1)
    stop_at = [0.0]

    def run(client: Client) -> None:
        mine, errs = [], []
        start_gate.wait()
        while time.monotonic() < stop_at[0]:
            t0 = time.monotonic()
            try:
                name, status = one_request(client, ids)
            except Exception as exc:  # a refused or reset connection counts as an error
                name, status = "connection", 0
                errs.append(repr(exc))
            mine.append((name, status, time.monotonic() - t0))
        with lock:
            samples.extend(mine)
            failures.extend(errs)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    stop_at[0] = time.monotonic() + args.seconds
    began = time.monotonic()
    start_gate.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began

    latencies = sorted(s[2] for s in samples)
    errors = [s for s in samples if s[1] not in (200, 201)]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    by_kind: dict[str, list[float]] = {}
    for name, _, seconds in samples:
        by_kind.setdefault(name, []).append(seconds)
    result = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "throughput_rps": round(len(samples) / elapsed, 1),
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "errors": len(errors),
        "error_statuses": sorted({s[1] for s in errors}),
        "error_samples": failures[:5],
        "per_request": {
            name: {
                "n": len(values),
                "p95_ms": round(sorted(values)[int(0.95 * (len(values) - 1))] * 1000, 1),
                "mean_ms": round(statistics.mean(values) * 1000, 1),
            }
            for name, values in sorted(by_kind.items())
        },
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
