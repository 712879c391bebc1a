"""Hardening (issue 6): login throttling, password rules, sessions, the production
settings and their refusal to start unsafe, the Content-Security-Policy, and user text
escaped on every page, feed and export that shows it.

Login throttling in tests: django-axes is on in the whole suite, as in production. Its
attempts live in the database, so each test's rollback (or a transactional test's flush)
resets them and no test can lock another out; `authenticate()` without a request (a test
client's `login()`, a command) is not counted (spotkania/throttling.py). The tests below
lower the limit with a settings override so they stay short and deterministic.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.tests.factories import ActivityFactory
from customers.tests.factories import CustomerFactory
from dictionaries.models import Currency
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania import security

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_ESCAPED = "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)"
STRONG_KEY = "k3y-for-tests-only-" + "abcdefghijklmnopqrstuvwxyz0123456789"


# --- Login throttling ---------------------------------------------------------------


@pytest.fixture
def ola(db):
    user = UserFactory(username="ola", password=PASSWORD)
    EmployeeFactory(user=user, first_name="Ola", last_name="Wrona")
    return user


def page_login(client, password, ip="10.0.0.1", language="en"):
    client.cookies["django_language"] = language
    return client.post(reverse("login"), {"username": "ola", "password": password}, REMOTE_ADDR=ip)


def api_login(client, password, ip="10.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        {"username": "ola", "password": password, "name": "test"},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_login_page_locks_a_username_and_address_after_the_failure_limit(client, ola, throttled):
    assert page_login(client, "wrong").status_code == 200
    assert page_login(client, "wrong").status_code == 200
    locked = page_login(client, "wrong")
    assert locked.status_code == 429
    assert "too many login attempts" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)

    # The right password does not get through during the cool-off.
    again = page_login(client, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    # Another address for the same user is not locked (username and address together).
    other = page_login(client, PASSWORD, ip="10.0.0.2")
    assert other.status_code == 302
    assert client.session["_auth_user_id"] == str(ola.pk)


def test_lockout_message_is_polish_in_polish(client, ola, throttled):
    for _ in range(3):
        response = page_login(client, "wrong", language="pl")
    assert response.status_code == 429
    assert "zbyt wiele prób logowania" in response.content.decode()


def test_lock_ends_after_the_cool_off(client, ola, throttled):
    for _ in range(3):
        page_login(client, "wrong")
    assert page_login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert page_login(client, PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, ola, throttled):
    page_login(client, "wrong")
    page_login(client, "wrong")
    assert page_login(client, PASSWORD).status_code == 302
    client.logout()
    page_login(client, "wrong")
    assert page_login(client, "wrong").status_code == 200  # two failures again, not four


def test_api_token_endpoint_is_throttled_by_the_same_count(client, ola, throttled):
    assert api_login(client, "wrong").status_code == 401
    assert page_login(client, "wrong").status_code == 200  # the page counts too
    locked = api_login(client, "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "too many login attempts" in locked.json()["detail"]

    refused = api_login(client, PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60)
    assert "token" not in refused.json()
    # The login page of the same pair is locked as well.
    assert page_login(client, PASSWORD).status_code == 429
    # And another address is not.
    assert api_login(client, PASSWORD, ip="10.0.0.9").status_code == 200


def test_the_admin_login_is_throttled_too(client, throttled, db):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(3):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "root", "password": "nope"}
        )
    assert response.status_code == 429


def test_logins_without_a_request_are_not_counted_or_refused(client, ola, throttled):
    """Commands and test clients authenticate without a request: axes would raise."""
    assert authenticate(username="ola", password=PASSWORD) == ola
    assert client.login(username="ola", password=PASSWORD)
    assert not AccessAttempt.objects.exists()


# --- Passwords and sessions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This password is too short."),
        ("pl", "To hasło jest za krótkie."),
    ],
)
def test_password_change_page_shows_the_validators_errors(client, ola, language, expected):
    client.force_login(ola)
    client.cookies["django_language"] = language
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert "invalid-feedback" in page
    ola.refresh_from_db()
    assert ola.check_password(PASSWORD)


def test_session_lasts_a_working_day_and_ends_with_the_browser(settings, client, ola):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = page_login(client, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert cookie["httponly"]
    assert 8 * 3600 - 60 <= client.session.get_expiry_age() <= 8 * 3600


# --- Content-Security-Policy -----------------------------------------------------------

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_pages_send_the_content_security_policy(logged_in):
    response = logged_in.get(reverse("activities:list"))
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_schedule_page_gets_a_style_nonce_for_fullcalendar(logged_in, employee):
    response = logged_in.get(reverse("schedule:employee", args=[employee.pk]))
    policy = directives(response["Content-Security-Policy"])
    nonce = response.wsgi_request.csp_nonce
    assert policy == {**POLICY, "style-src": ["'self'", f"'nonce-{nonce}'"]}
    assert f'<meta name="csp-nonce" content="{nonce}">' in response.content.decode()


def test_swagger_ui_page_has_the_same_strict_policy(logged_in):
    """Swagger UI (django-ninja's static files) works under it: test_csp.py shows it."""
    response = logged_in.get("/api/v1/docs")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_htmx_is_configured_without_eval_or_injected_styles(logged_in):
    page = logged_in.get(reverse("activities:list")).content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, """
        """"allowEval": false}'>"""
    ) in page


def test_no_template_has_inline_scripts_handlers_or_styles():
    """A strict policy blocks them: everything is wired from static files."""
    import re

    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+=|\sstyle=")
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "staticfiles" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# --- Production settings ---------------------------------------------------------------


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(DJANGO_SETTINGS_MODULE="spotkania.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


IMPORT_SETTINGS = "import django; django.setup(); print('started')"


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY must be set"),
        (
            {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": security.DEVELOPMENT_SECRET_KEY},
            "DJANGO_SECRET_KEY must be set",
        ),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"}, "too weak"),
        (
            {"DJANGO_ENV": "production", "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": STRONG_KEY},
            "DJANGO_DEBUG must be 0",
        ),
    ],
)
def test_production_refuses_to_start_unsafe(env, reason):
    result = run_django(IMPORT_SETTINGS, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert reason in result.stderr
    assert "started" not in result.stdout


def test_development_starts_with_the_default_key():
    result = run_django(IMPORT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_check_deploy_is_clean_in_production():
    result = run_django(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG'])",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_answers_with_secure_headers_and_cookies(tmp_path):
    # Production serves hashed static file names from collectstatic's manifest: collect
    # them first, into a folder of this test's own (a clean checkout has none).
    code = """
import json
import django; django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
c = Client()
plain = c.get("/accounts/login/")
print("redirect", plain.status_code, plain["Location"])
r = c.get("/accounts/login/", secure=True)
print("status", r.status_code)
for h in ("Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
          "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
    print(h, "=", r.get(h))
print("csrf-secure", bool(r.cookies["csrftoken"]["secure"]))
print("csp", json.dumps(r["Content-Security-Policy"]))
"""
    result = run_django(
        code,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "redirect 301 https://testserver/accounts/login/" in out
    assert "status 200" in out
    assert "Strict-Transport-Security = max-age=31536000; includeSubDomains; preload" in out
    header = json.loads(out.split("csp ", 1)[1].splitlines()[0])
    assert directives(header) == POLICY
    assert "X-Frame-Options = DENY" in out
    assert "X-Content-Type-Options = nosniff" in out
    assert "Referrer-Policy = same-origin" in out
    assert "Cross-Origin-Opener-Policy = same-origin" in out
    assert "csrf-secure True" in out


# --- User text escaped everywhere ------------------------------------------------------


@pytest.fixture
def hostile(employee):
    """Two customers whose names are an attack each, with an activity (with a cost) each."""
    activities = []
    for name in (SCRIPT, FORMULA):
        customer = CustomerFactory(name=name)
        activity = ActivityFactory(
            customer=customer,
            leader=employee,
            subject=name,
            place=name,
            expected_cost=10,
            expected_cost_currency=Currency.objects.get(code="PLN"),
        )
        activities.append(activity)
    return activities


def assert_shown_as_text(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert SCRIPT not in page
    assert SCRIPT_ESCAPED in page
    assert FORMULA_ESCAPED in page


def test_customer_list_escapes_names(logged_in, hostile):
    assert_shown_as_text(logged_in.get(reverse("customers:list")))


def test_customer_page_escapes_names(logged_in, hostile):
    for activity in hostile:
        response = logged_in.get(activity.customer.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert SCRIPT not in page
        assert (SCRIPT_ESCAPED in page) or (FORMULA_ESCAPED in page)


def test_activity_list_escapes_names(logged_in, hostile):
    assert_shown_as_text(logged_in.get(reverse("activities:list")))


def test_activity_page_escapes_names(logged_in, hostile):
    script_page = logged_in.get(hostile[0].get_absolute_url()).content.decode()
    formula_page = logged_in.get(hostile[1].get_absolute_url()).content.decode()
    assert SCRIPT not in script_page
    assert SCRIPT_ESCAPED in script_page
    assert FORMULA_ESCAPED in formula_page


def test_schedule_events_are_json_text(logged_in, employee, hostile):
    today = timezone.localdate()
    response = logged_in.get(
        reverse("schedule:events", args=[employee.pk]),
        {
            "start": (today - timedelta(days=2)).isoformat(),
            "end": (today + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    events = response.json()
    titles = {e["title"] for e in events}
    customers = {e["extendedProps"]["customer"] for e in events}
    assert {SCRIPT, FORMULA} <= titles
    assert {SCRIPT, FORMULA} <= customers


def test_cost_report_page_escapes_names_also_in_the_chart_data(logged_in, hostile):
    response = logged_in.get(reverse("reports:costs"), {"group_by": "customer"})
    assert_shown_as_text(response)
    page = response.content.decode()
    start = page.index('id="cost-chart-data"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert {SCRIPT, FORMULA} <= set(data["labels"])


def test_cost_report_csv_neutralises_formulas(logged_in, hostile):
    response = logged_in.get(reverse("reports:costs_csv"), {"group_by": "customer"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text or "'" + FORMULA in text
    for line in text.splitlines():
        for cell in line.split(";") + line.split(","):
            assert not cell.strip('"').startswith("=HYPERLINK")


def test_cost_report_xlsx_stores_names_as_text_never_formulas(logged_in, hostile):
    """In XLSX a text cell is never evaluated, so the name is kept as it is (an apostrophe
    would show); what must not happen is a formula cell (<f>) made of it."""
    response = logged_in.get(reverse("reports:costs_xlsx"), {"group_by": "customer"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells[FORMULA].data_type == "s"
    assert cells[SCRIPT].data_type == "s"
