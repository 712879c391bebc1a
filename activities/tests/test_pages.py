"""The activity pages, tested through HTTP: the form, the detail page and its actions."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.tests.factories import ActivityFactory, add_participant
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from dictionaries.models import ActivityCategory, ActivityPriority, Currency
from employees.tests.factories import EmployeeFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
CREATE = reverse("activities:create")


def form_data(customer, contact, employee, **overrides) -> dict:
    """A complete new-meeting form as the browser posts it."""
    data = {
        "kind": "meeting",
        "subject": "Contract renewal",
        "customer": customer.pk,
        "contact_persons": [contact.pk],
        "employees": [employee.pk],
        "leader": employee.pk,
        "start": "2026-03-27T10:00",
        "end": "2026-03-27T11:30",
        "time_zone": "Europe/Warsaw",
        "place": "Warszawa, ul. Prosta 1",
        "priority": ActivityPriority.objects.get(is_default=True).pk,
        "category": "",
        "in_schedule": "on",
        "follow_up_value": "1",
        "follow_up_unit": "weeks",
        "follow_up_kind": "meeting",
        "expected_cost": "",
        "expected_cost_currency": "PLN",
        "actual_cost": "",
        "actual_cost_currency": "PLN",
        "notes": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def field_errors(response, name) -> list[str]:
    return response.context["form"].errors.get(name, [])


@pytest.mark.django_db
class TestNewActivityPage:
    def test_new_meeting_preselects_customer_and_leader(self, logged_in, customer, employee):
        response = logged_in.get(CREATE, {"kind": "meeting", "customer": customer.pk})

        assert response.status_code == 200
        html = response.content.decode()
        assert "New meeting" in html
        assert f'<option value="{customer.pk}" selected>' in html
        form = response.context["form"]
        assert form["leader"].value() == employee.pk
        assert form["employees"].value() == [employee.pk]
        assert 'data-search-url="/customers/search/"' in html

    def test_new_meeting_lists_only_that_customers_contact_persons(
        self, logged_in, customer, contact
    ):
        stranger = ContactPersonFactory(customer=CustomerFactory())

        response = logged_in.get(CREATE, {"kind": "meeting", "customer": customer.pk})

        html = response.content.decode()
        assert f'value="{contact.pk}" id="id_contact_persons_{contact.pk}"' in html
        assert f"id_contact_persons_{stranger.pk}" not in html

    def test_default_time_is_the_next_full_hour_for_one_hour(self, logged_in):
        response = logged_in.get(CREATE, {"kind": "task"})

        form = response.context["form"]
        start, end = form["start"].value(), form["end"].value()
        assert (start.minute, start.second) == (0, 0)
        assert end - start == timedelta(hours=1)
        assert "New task" in response.content.decode()
        assert form["in_schedule"].value() is False

    def test_complete_form_creates_the_activity_with_its_relations(
        self, logged_in, customer, contact, employee
    ):
        colleague = EmployeeFactory()
        category = ActivityCategory.objects.first()
        data = form_data(
            customer,
            contact,
            employee,
            employees=[employee.pk, colleague.pk],
            category=category.pk,
            expected_cost="1 250,50",
            expected_cost_currency="EUR",
        )

        response = logged_in.post(CREATE, data)

        activity = Activity.objects.get()
        assert response.status_code == 302
        assert response["Location"] == activity.get_absolute_url()
        assert activity.customer == customer
        assert list(activity.contact_persons.all()) == [contact]
        assert set(activity.employees.all()) == {employee, colleague}
        assert activity.leader == employee
        assert activity.category == category
        assert activity.start == datetime(2026, 3, 27, 10, 0, tzinfo=WARSAW)
        assert activity.end == datetime(2026, 3, 27, 11, 30, tzinfo=WARSAW)
        assert activity.expected_cost == Decimal("1250.50")
        assert activity.expected_cost_currency_id == "EUR"
        assert activity.created_by == employee.user

    def test_missing_customer_contact_persons_and_employees_are_each_reported(self, logged_in):
        data = form_data(CustomerFactory(), ContactPersonFactory(), EmployeeFactory())
        data["customer"] = ""
        data.pop("contact_persons")
        data.pop("employees")
        data.pop("leader")

        response = logged_in.post(CREATE, data)

        assert response.status_code == 200
        assert field_errors(response, "customer") == ["Choose the customer."]
        assert field_errors(response, "contact_persons") == ["Choose at least one contact person."]
        assert field_errors(response, "employees") == ["Choose at least one employee."]
        assert 'class="form-select is-invalid"' in response.content.decode()
        assert Activity.objects.count() == 0

    def test_contact_person_of_another_customer_is_refused(self, logged_in, customer, employee):
        stranger = ContactPersonFactory(customer=CustomerFactory(), last_name="Obcy")

        response = logged_in.post(CREATE, form_data(customer, stranger, employee))

        assert "does not belong to" in field_errors(response, "contact_persons")[0]
        assert Activity.objects.count() == 0

    def test_end_before_start_is_refused(self, logged_in, customer, contact, employee):
        data = form_data(customer, contact, employee, end="2026-03-27T09:00")

        response = logged_in.post(CREATE, data)

        assert field_errors(response, "end") == ["The end cannot be before the start."]
        assert Activity.objects.count() == 0

    def test_decimal_comma_is_accepted(self, logged_in, customer, contact, employee):
        data = form_data(customer, contact, employee, actual_cost="12,50")

        logged_in.post(CREATE, data)

        assert Activity.objects.get().actual_cost == Decimal("12.50")

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            ("abc", "Enter an amount"),
            ("-5", "A cost cannot be negative."),
            ("1,234", "at most 2 decimal places"),
        ],
    )
    def test_bad_amounts_are_refused_on_their_field(
        self, logged_in, customer, contact, employee, amount, message
    ):
        data = form_data(customer, contact, employee, expected_cost=amount)

        response = logged_in.post(CREATE, data)

        assert message in " ".join(field_errors(response, "expected_cost"))
        assert Activity.objects.count() == 0

    def test_amount_without_currency_is_refused(self, logged_in, customer, contact, employee):
        data = form_data(customer, contact, employee, actual_cost="100", actual_cost_currency="")

        response = logged_in.post(CREATE, data)

        assert field_errors(response, "actual_cost") == ["Choose the currency of the amount."]
        assert Activity.objects.count() == 0

    def test_all_day_end_is_the_last_day_inclusive(self, logged_in, customer, contact, employee):
        data = form_data(
            customer, contact, employee, all_day="on", start="2026-03-27", end="2026-03-28"
        )

        logged_in.post(CREATE, data)

        activity = Activity.objects.get()
        assert activity.all_day
        assert activity.local_end == datetime(2026, 3, 29, 0, 0, tzinfo=WARSAW)

    def test_time_in_the_chosen_zone_is_kept(self, logged_in, customer, contact, employee):
        data = form_data(customer, contact, employee, time_zone="Europe/London")

        logged_in.post(CREATE, data)

        activity = Activity.objects.get()
        assert activity.time_zone == "Europe/London"
        assert activity.local_start.hour == 10
        assert activity.start == datetime(2026, 3, 27, 11, 0, tzinfo=WARSAW)


@pytest.mark.django_db
class TestFollowUpOnTheForm:
    def test_follow_up_in_two_days_is_created_once(self, logged_in, customer, contact, employee):
        data = form_data(
            customer, contact, employee, follow_up="on", follow_up_value="2", follow_up_unit="days"
        )

        response = logged_in.post(CREATE, data, follow=True)

        first = Activity.objects.get(previous__isnull=True)
        follow_up = Activity.objects.get(previous=first)
        assert follow_up.start == datetime(2026, 3, 29, 10, 0, tzinfo=WARSAW)
        assert "The next meeting is planned for" in response.content.decode()

        edit = logged_in.get(reverse("activities:edit", args=[first.pk]))
        assert 'id="follow-up-link"' in edit.content.decode()
        assert 'name="follow_up"' not in edit.content.decode()

        data.pop("follow_up")
        response = logged_in.post(reverse("activities:edit", args=[first.pk]), data)

        assert response.status_code == 302
        assert Activity.objects.count() == 2

    def test_a_second_follow_up_from_a_stale_form_is_refused(
        self, logged_in, customer, contact, employee
    ):
        first = ActivityFactory(customer=customer, leader=employee)
        ActivityFactory(customer=customer, leader=employee, previous=first)
        data = form_data(customer, contact, employee, follow_up="on")

        response = logged_in.post(reverse("activities:edit", args=[first.pk]), data)

        assert field_errors(response, "follow_up") == ["This activity already has a follow-up."]
        assert Activity.objects.count() == 2

    def test_follow_up_date_before_the_meeting_is_refused(
        self, logged_in, customer, contact, employee
    ):
        data = form_data(
            customer, contact, employee, follow_up="on", follow_up_at="2026-03-26T10:00"
        )

        response = logged_in.post(CREATE, data)

        assert field_errors(response, "follow_up") == [
            "The next contact cannot be before this activity starts."
        ]
        assert Activity.objects.count() == 0

    def test_follow_up_at_a_chosen_date(self, logged_in, customer, contact, employee):
        data = form_data(
            customer,
            contact,
            employee,
            follow_up="on",
            follow_up_at="2026-04-02T14:00",
            follow_up_kind="contact",
        )

        logged_in.post(CREATE, data)

        follow_up = Activity.objects.get(previous__isnull=False)
        assert follow_up.kind == "contact"
        assert follow_up.start == datetime(2026, 4, 2, 14, 0, tzinfo=WARSAW)


@pytest.mark.django_db
class TestContactOptions:
    def test_returns_only_that_customers_contact_persons(self, logged_in, customer, contact):
        other = ContactPersonFactory(customer=CustomerFactory())
        inactive = ContactPersonFactory(customer=customer, is_active=False)

        response = logged_in.get(reverse("activities:contact_options"), {"customer": customer.pk})

        html = response.content.decode()
        assert response.status_code == 200
        assert f'value="{contact.pk}"' in html
        assert f'value="{other.pk}"' not in html
        assert f'value="{inactive.pk}"' not in html
        assert "<html" not in html

    def test_without_a_customer_asks_to_choose_one(self, logged_in):
        response = logged_in.get(reverse("activities:contact_options"))

        assert "Choose the customer first." in response.content.decode()

    def test_bound_form_with_errors_keeps_checked_contact_persons(
        self, logged_in, customer, contact, employee
    ):
        data = form_data(customer, contact, employee, subject="")

        response = logged_in.post(CREATE, data)

        assert field_errors(response, "subject") == ["Enter a subject."]
        html = response.content.decode()
        assert f'value="{contact.pk}" id="id_contact_persons_{contact.pk}" checked' in html


@pytest.mark.django_db
class TestEdit:
    def test_edit_form_shows_the_activity_and_saves_changes(
        self, logged_in, customer, contact, employee
    ):
        activity = ActivityFactory(customer=customer, leader=employee)
        activity.contact_persons.set([contact])

        page = logged_in.get(reverse("activities:edit", args=[activity.pk]))
        assert page.context["form"]["subject"].value() == activity.subject

        data = form_data(customer, contact, employee, subject="Renamed")
        response = logged_in.post(reverse("activities:edit", args=[activity.pk]), data)

        activity.refresh_from_db()
        assert response.status_code == 302
        assert activity.subject == "Renamed"
        assert activity.version == 2

    def test_deactivated_currency_stays_on_an_old_activity(
        self, logged_in, customer, contact, employee
    ):
        activity = ActivityFactory(
            customer=customer,
            leader=employee,
            expected_cost=Decimal("10"),
            expected_cost_currency_id="CHF",
        )
        Currency.objects.filter(code="CHF").update(is_active=False)
        data = form_data(
            customer,
            contact,
            employee,
            subject="Still in francs",
            expected_cost="10",
            expected_cost_currency="CHF",
        )

        response = logged_in.post(reverse("activities:edit", args=[activity.pk]), data)
        new = logged_in.post(CREATE, data)

        activity.refresh_from_db()
        assert response.status_code == 302
        assert activity.subject == "Still in francs"
        assert activity.expected_cost_currency_id == "CHF"
        assert field_errors(new, "expected_cost_currency")
        assert Activity.objects.count() == 1

    def test_ended_activity_edit_page_is_read_only(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, status=ActivityStatus.ENDED)

        response = logged_in.get(reverse("activities:edit", args=[activity.pk]))

        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="save-button"' not in html
        assert 'name="subject"' in html
        assert all(field.field.disabled for field in response.context["form"])

    def test_post_to_an_ended_activity_changes_nothing(
        self, logged_in, customer, contact, employee
    ):
        activity = ActivityFactory(customer=customer, leader=employee, status="ended")
        data = form_data(customer, contact, employee, subject="Changed")

        response = logged_in.post(reverse("activities:edit", args=[activity.pk]), data, follow=True)

        activity.refresh_from_db()
        assert activity.subject != "Changed"
        assert activity.version == 1
        assert "read-only" in response.content.decode()

    def test_unknown_activity_is_404(self, logged_in):
        assert logged_in.get(reverse("activities:edit", args=[999999])).status_code == 404


@pytest.mark.django_db
class TestDetailAndActions:
    def test_detail_shows_the_fields_and_links(self, logged_in, employee):
        first = ActivityFactory(
            leader=employee,
            expected_cost=Decimal("12.5"),
            expected_cost_currency_id="PLN",
            place="Kraków",
        )
        second = ActivityFactory(customer=first.customer, leader=employee, previous=first)

        response = logged_in.get(first.get_absolute_url())

        html = response.content.decode()
        assert response.status_code == 200
        assert "Kraków" in html
        assert "PLN" in html and "12.50" in html
        assert second.get_absolute_url() in html
        assert 'id="edit-button"' in html
        assert 'id="reopen-button"' not in html
        assert 'id="follow-up-form"' not in html

    def test_end_with_actual_cost(self, logged_in, employee):
        activity = ActivityFactory(leader=employee)

        response = logged_in.post(
            reverse("activities:end", args=[activity.pk]),
            {"actual_cost": "99,90", "actual_cost_currency": "PLN"},
        )

        activity.refresh_from_db()
        assert response.status_code == 302
        assert activity.status == ActivityStatus.ENDED
        assert activity.actual_cost == Decimal("99.90")

    def test_ending_twice_gives_a_message_not_an_error(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, status=ActivityStatus.ENDED)

        response = logged_in.post(reverse("activities:end", args=[activity.pk]), follow=True)

        assert response.status_code == 200
        assert "Only a planned activity can be ended." in response.content.decode()

    def test_cancel(self, logged_in, employee):
        activity = ActivityFactory(leader=employee)

        logged_in.post(reverse("activities:cancel", args=[activity.pk]))

        activity.refresh_from_db()
        assert activity.status == ActivityStatus.CANCELLED

    def test_reopen_is_refused_without_the_permission(self, logged_in, employee):
        activity = ActivityFactory(leader=employee, status=ActivityStatus.ENDED)

        response = logged_in.post(reverse("activities:reopen", args=[activity.pk]), follow=True)

        activity.refresh_from_db()
        assert activity.status == ActivityStatus.ENDED
        assert "You may not reopen activities." in response.content.decode()
        assert 'id="reopen-button"' not in response.content.decode()

    def test_reopen_with_the_permission(self, client, reopener):
        client.force_login(reopener)
        client.cookies["django_language"] = "en"
        activity = ActivityFactory(status=ActivityStatus.ENDED)
        page = client.get(activity.get_absolute_url())
        assert 'id="reopen-button"' in page.content.decode()

        client.post(reverse("activities:reopen", args=[activity.pk]))

        activity.refresh_from_db()
        assert activity.status == ActivityStatus.PLANNED

    @pytest.mark.parametrize("action", ["end", "cancel", "reopen", "follow_up"])
    def test_actions_refuse_get(self, logged_in, employee, action):
        activity = ActivityFactory(leader=employee)

        response = logged_in.get(reverse(f"activities:{action}", args=[activity.pk]))

        assert response.status_code == 405
        activity.refresh_from_db()
        assert activity.status == ActivityStatus.PLANNED

    def test_schedule_next_contact_from_the_detail_page(self, logged_in, employee):
        start = datetime(2026, 3, 27, 10, 0, tzinfo=WARSAW)
        activity = ActivityFactory(leader=employee, start=start)

        response = logged_in.post(
            reverse("activities:follow_up", args=[activity.pk]),
            {"value": "3", "unit": "hours", "kind": "contact"},
        )

        follow_up = Activity.objects.get(previous=activity)
        assert response["Location"] == follow_up.get_absolute_url()
        assert follow_up.kind == "contact"
        assert follow_up.start == start + timedelta(hours=3)


@pytest.mark.django_db
def test_polish_page_renders(client, employee, customer):
    client.force_login(employee.user)
    client.cookies["django_language"] = "pl"

    response = client.get(CREATE, {"customer": customer.pk})

    assert response.status_code == 200
    assert '<html lang="pl">' in response.content.decode()


@pytest.mark.django_db
def test_activity_list_has_no_n_plus_one(logged_in, django_assert_max_num_queries):
    customers = CustomerFactory.create_batch(3)
    now = timezone.now()
    for i in range(30):
        activity = ActivityFactory(customer=customers[i % 3], start=now - timedelta(hours=i))
        add_participant(activity, EmployeeFactory())

    # session, user, employee (time zone), count, the three filter selects, the page,
    # its employees, the user's groups (is an administrator: the Configuration menu): a
    # fixed number however many rows the page shows.
    with django_assert_max_num_queries(10):
        response = logged_in.get(reverse("activities:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="activity-subject"') == 25
    assert "Page 1 of 2" in html


@pytest.mark.django_db
def test_all_day_activity_shows_its_own_date_in_any_users_zone(logged_in, employee):
    """An all-day day in Tokyo is that day, not the evening before as seen from Warsaw."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    ActivityFactory(
        subject="Tokyo fair",
        all_day=True,
        time_zone="Asia/Tokyo",
        start=datetime(2026, 12, 10, tzinfo=tokyo),
        end=datetime(2026, 12, 11, tzinfo=tokyo),
    )
    page = logged_in.get("/activities/").content.decode()
    assert "10 Dec 2026" in page
    assert "9 Dec 2026" not in page


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
