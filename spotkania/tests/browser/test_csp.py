"""The production Content-Security-Policy in a real browser: every main page loads with no
violation (console or securitypolicyviolation event) and its widgets still work: Tom
Select, htmx, FullCalendar, Chart.js and the API's Swagger UI. A customer named like an
attack is shown as text on them."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.tests.factories import ActivityFactory
from customers.models import Customer
from dictionaries.models import Currency
from employees.tests.factories import EmployeeFactory, UserFactory
from spotkania import security
from spotkania.tests.browser.people import PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)

ATTACK = "<img src=x onerror=alert(1)><script>alert(1)</script>"

# Recorded by the page itself before any of its scripts run (an init script is not
# subject to the page's policy).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
window.alert = function (message) { window.__alerted = String(message); };
"""


@pytest.fixture
def production_policy(settings):
    """The policy production sends (it is the same in every mode: this says so)."""
    settings.CONTENT_SECURITY_POLICY = security.CONTENT_SECURITY_POLICY
    return settings


@pytest.fixture
def watched(page, production_policy):
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text
            or (message.type == "error" and "Failed to load resource" not in message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.context.add_init_script(LISTEN)
    headers: list[str] = []

    def on_response(response):
        if response.request.resource_type == "document":
            headers.append(response.headers.get("content-security-policy", ""))
        # A browser asks for /favicon.ico by itself; the app has none. API answers to
        # fetch() calls may be errors on purpose (Swagger UI's "Try it out").
        # The lockout page answers 429 on purpose.
        if (
            response.status >= 400
            and response.status != 429
            and not response.url.endswith("/favicon.ico")
            and response.request.resource_type not in ("fetch", "xhr")
        ):
            problems.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.problems = problems
    page.policies = headers
    return page


def assert_clean(page):
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert page.problems == [], page.problems
    assert page.evaluate("window.__alerted === undefined")
    assert page.policies and all("script-src 'self'" in p for p in page.policies)


@pytest.fixture
def world(transactional_db):
    user = UserFactory(username="ewa", password=PASSWORD)
    employee = EmployeeFactory(user=user, first_name="Ewa", last_name="Lis")
    customer = Customer.objects.create(code="X01", name=ATTACK)
    customer.contact_persons.create(first_name="Anna", last_name="Zielińska")
    # Today at 10:00 local: on the schedule's default week, within its 06:00-22:00 hours
    # whenever the test runs (an hour from now could be past 22:00).
    start = datetime.combine(timezone.localdate(), time(10), tzinfo=timezone.get_current_timezone())
    ActivityFactory(
        customer=customer,
        leader=employee,
        subject=ATTACK,
        start=start,
        end=start + timedelta(hours=1),
        expected_cost=100,
        expected_cost_currency=Currency.objects.get(code="PLN"),
    )
    return employee


def test_main_pages_work_under_the_policy(watched, world, shot):
    page = watched
    log_in(page)

    # Activities: the attack is text; htmx search swaps the table.
    page.goto("/activities/")
    expect(page.locator("#activity-table")).to_contain_text("<script>alert(1)</script>")
    page.locator("input[name=q]").press_sequentially("no such thing")
    expect(page.locator("#activity-table")).to_have_count(0)
    page.locator("input[name=q]").fill("")
    page.locator("input[name=q]").press_sequentially("alert")
    expect(page.locator("#activity-table tbody tr")).to_have_count(1)
    assert_clean(page)

    # The customer's page.
    customer = Customer.objects.get(code="X01")
    page.goto(customer.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert(1)>")
    assert_clean(page)

    # New meeting: Tom Select searches customers, htmx loads the contact persons.
    page.goto("/activities/new/?kind=meeting")
    page.locator(".ts-control").first.click()
    page.keyboard.type("X01")
    page.locator(".ts-dropdown .option", has_text="alert(1)").click()
    expect(page.get_by_label("Anna Zielińska")).to_be_visible()
    shot("csp-01-meeting-form")
    assert_clean(page)

    # Schedule: FullCalendar renders (its injected <style> carries the nonce) with the event.
    page.goto("/schedule/")
    expect(page.locator(".fc-view-harness")).to_be_visible()
    expect(page.locator(".fc-event").first).to_contain_text("<script>alert(1)</script>")
    assert page.evaluate(
        "Array.from(document.querySelectorAll('style[data-fullcalendar]')).every(s => s.nonce)"
    )
    # FullCalendar's own styles apply: the toolbar is laid out as a flex row.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.fc-header-toolbar')).display")
        == "flex"
    )
    shot("csp-02-schedule")
    assert_clean(page)

    # Cost report: Chart.js draws the chart.
    page.goto("/reports/costs/?group_by=customer")
    expect(page.locator("#cost-chart")).to_be_visible()
    assert page.evaluate("Chart.getChart(document.getElementById('cost-chart')) !== undefined")
    assert page.evaluate("document.getElementById('cost-chart').height") > 100
    shot("csp-03-cost-report")
    assert_clean(page)


def test_api_docs_render_under_their_policy(watched, world, shot):
    page = watched
    log_in(page)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Spotkania API")
    # Expanding an operation renders its parameters and highlighted examples.
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    expect(page.locator(".live-responses-table .highlight-code").first).to_be_visible()
    expect(page.locator(".live-responses-table")).to_contain_text("401")
    shot("csp-04-api-docs")
    assert_clean(page)


def test_a_locked_out_login_is_a_page_saying_so(watched, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    page = watched
    for _ in range(2):
        page.goto("/accounts/login/")
        page.fill("#id_username", "ewa")
        page.fill("#id_password", "wrong")
        page.locator("form button[type=submit]").first.click()
    expect(page.locator("#lockout-message")).to_contain_text("too many login attempts")
    assert_clean(page)


def test_admin_works_under_the_policy(watched, world, shot):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    page = watched
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    customer = Customer.objects.get(code="X01")
    page.goto(f"/admin/customers/customer/{customer.pk}/change/")
    expect(page.locator("#id_name")).to_have_value(ATTACK)
    page.goto("/admin/customers/customer/")
    expect(page.locator("#result_list")).to_contain_text("<script>alert(1)</script>")
    shot("csp-05-admin")
    assert_clean(page)
