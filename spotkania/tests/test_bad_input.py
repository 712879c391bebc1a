"""No input, however odd, makes a page answer 500: out-of-range years and ids, impossible
dates, NUL bytes, non-ASCII digits. Each answer is a page with an error or a 4xx."""

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from activities.tests.test_pages import form_data

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"

GETS = [
    "/activities/?start_from=0001-01-01",
    "/activities/?start_to=9999-12-31",
    "/activities/?start_from=2026-13-45&page=abc",
    f"/activities/?employee={HUGE}&category=-1&priority=x",
    "/activities/?q=%00abc",
    "/customers/search/?q=%00abc",
    "/profile/employees/search/?q=%00abc",
    f"/activities/contact-options/?customer={HUGE}",
    f"/activities/new/?customer={HUGE}&employee={HUGE}&start=2026-02-30T10:00",
    "/activities/new/?start=0001-01-01T00:30",
    f"/activities/{HUGE}/",
    f"/customers/{HUGE}/",
    "/customers/1/?start_to=9999-12-31",
    "/reports/costs/?start_from=0001-01-01",
    "/reports/costs/export.csv?start_to=9999-12-31",
    "/schedule/team/?week=9999-12-31",
    "/schedule/team/?week=0001-01-01",
    "/schedule/team/?week=2026-02-30",
    f"/schedule/team/?employees={HUGE}",
    "/schedule/employee/1/events/?start=2026-02-30&end=2026-03-05",
    f"/schedule/employee/{HUGE}/",
]


@pytest.mark.parametrize("url", GETS)
def test_odd_query_never_makes_a_server_error(logged_in, employee, customer, url):
    ActivityFactory(customer=customer, leader=employee)
    response = logged_in.get(url)
    assert response.status_code < 500


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "0001-01-01T00:30", "end": ""}, "start"),
        ({"all_day": "on", "end": "9999-12-31T00:00"}, "end"),
        ({"follow_up": "on", "follow_up_at": "9999-12-31T23:59"}, "follow_up"),
        ({"start": "2026-03-29T02:30", "end": "2026-03-29T03:30"}, "start"),
        ({"customer": HUGE}, "customer"),
        ({"employees": HUGE}, "employees"),
    ],
)
def test_odd_form_values_are_refused_on_their_field(
    logged_in, customer, contact, employee, changes, field
):
    data = form_data(customer, contact, employee)
    data.update(changes)
    response = logged_in.post(reverse("activities:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field) or (
        field == "follow_up" and response.context["follow_up_errors"]
    ), form.errors
    assert Activity.objects.count() == 0


def test_a_time_the_clocks_skip_is_refused_by_the_api_too(client, employee, customer, contact):
    from api.models import ApiToken

    _token, raw = ApiToken.issue(user=employee.user)
    response = client.post(
        "/api/v1/activities",
        {
            "kind": "meeting",
            "subject": "Night",
            "customer": customer.pk,
            "contact_persons": [contact.pk],
            "employees": [employee.pk],
            "start": "2026-03-29T02:30:00",
            "end": "2026-03-29T03:30:00",
            "time_zone": "Europe/Warsaw",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    assert "start" in response.json()["errors"]
    assert Activity.objects.count() == 0
