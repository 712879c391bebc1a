"""The customer pages, tested through HTTP as a logged-in employee (in English)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityKind, ActivityStatus
from activities.tests.factories import ActivityFactory
from customers.models import ContactPerson, Customer
from customers.tests.factories import ContactPersonFactory, CustomerFactory

VALID_NIP = "5260001246"  # a NIP with a correct check digit
HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


def table_rows(response, table_id: str) -> list[str]:
    """The <tr> elements of the table's body, as strings."""
    body = re.search(rf'id="{table_id}".*?<tbody>(.*?)</tbody>', html(response), re.S)
    assert body, f"no table #{table_id}"
    return re.findall(r"<tr.*?</tr>", body.group(1), re.S)


def queries_of(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def detail_url(customer, **params) -> str:
    url = reverse("customers:detail", args=[customer.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, args",
    [
        ("customers:list", []),
        ("customers:create", []),
        ("customers:detail", ["customer"]),
        ("customers:update", ["customer"]),
        ("customers:delete", ["customer"]),
        ("customers:contact_create", ["customer"]),
        ("customers:contact_update", ["contact"]),
        ("customers:search", []),
    ],
)
def test_anonymous_user_is_sent_to_login(client, contact, name, args):
    objects = {"customer": contact.customer.pk, "contact": contact.pk}
    url = reverse(name, args=[objects[a] for a in args])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
class TestCustomerList:
    def get(self, client, **params):
        return client.get(reverse("customers:list"), params)

    def test_page_has_search_box_and_new_customer_button(self, logged_in, customer):
        response = self.get(logged_in)

        assert response.status_code == 200
        assert 'name="q"' in html(response)
        assert 'hx-get="/customers/"' in html(response)
        assert reverse("customers:create") in html(response)
        assert "New customer" in html(response)
        assert customer.name in html(response)

    def test_shows_active_customers_unless_asked_for_inactive_or_all(self, logged_in):
        CustomerFactory(name="Alfa Active")
        CustomerFactory(name="Beta Dormant", is_active=False)

        default = html(self.get(logged_in))
        inactive = html(self.get(logged_in, active="inactive"))
        everyone = html(self.get(logged_in, active="all"))

        assert "Alfa Active" in default and "Beta Dormant" not in default
        assert "Alfa Active" not in inactive and "Beta Dormant" in inactive
        assert "Alfa Active" in everyone and "Beta Dormant" in everyone

    @pytest.mark.parametrize("q", ["hydro", "HT-0042", "526-000-12-46", VALID_NIP, "biuro@hydro"])
    def test_search_finds_by_name_code_nip_and_email(self, logged_in, q):
        CustomerFactory(
            code="HT-0042", name="Hydro-Tech", tax_id=VALID_NIP, email="biuro@hydro.example"
        )
        CustomerFactory(code="ZZ-1", name="Zeta Bud", tax_id="", email="zeta@example.com")

        response = self.get(logged_in, q=q)

        rows = table_rows(response, "customer-table")
        assert len(rows) == 1
        assert "Hydro-Tech" in rows[0]

    def test_search_without_match_says_so(self, logged_in, customer):
        response = self.get(logged_in, q="no-such-customer")

        assert 'id="no-customers"' in html(response)
        assert 'id="customer-table"' not in html(response)

    def test_nip_is_shown_formatted(self, logged_in):
        CustomerFactory(tax_id=VALID_NIP)

        response = self.get(logged_in)

        assert "526-000-12-46" in html(response)

    def test_htmx_request_gets_only_the_table_fragment(self, logged_in, customer):
        response = logged_in.get(reverse("customers:list"), {"q": "hydro"}, **HTMX)

        assert response.status_code == 200
        assert 'id="customer-table"' in html(response)
        assert customer.name in html(response)
        assert "<html" not in html(response)
        assert 'name="q"' not in html(response)
        assert "HX-Request" in response["Vary"]

    def test_htmx_history_restore_gets_the_whole_page(self, logged_in, customer):
        response = logged_in.get(
            reverse("customers:list"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
        )

        assert "<html" in html(response)

    def test_paginates_25_per_page_keeping_the_search(self, logged_in):
        for n in range(30):
            CustomerFactory(name=f"Firma {n:02d}")

        first = self.get(logged_in, q="Firma")
        second = self.get(logged_in, q="Firma", page=2)

        assert len(table_rows(first, "customer-table")) == 25
        assert len(table_rows(second, "customer-table")) == 5
        assert "Firma 29" in html(second)
        assert "?q=Firma&amp;page=2" in html(first)

    def test_query_count_does_not_grow_with_the_number_of_customers(
        self, logged_in, django_assert_max_num_queries
    ):
        CustomerFactory()
        few = queries_of(logged_in, reverse("customers:list"))
        for _ in range(29):
            CustomerFactory(tax_id=VALID_NIP)

        many = queries_of(logged_in, reverse("customers:list"))
        with django_assert_max_num_queries(6):
            self.get(logged_in)

        assert many == few


@pytest.mark.django_db
class TestCustomerForm:
    def data(self, **overrides):
        values = {
            "code": "K-100",
            "name": "Budimex Serwis",
            "tax_id": "",
            "address": "ul. Prosta 1\n00-001 Warszawa",
            "email": "biuro@budimex.example",
            "phone": "+48 22 123 45 67",
            "is_active": "on",
        }
        values.update(overrides)
        return values

    def test_new_customer_form_renders(self, logged_in):
        response = logged_in.get(reverse("customers:create"))

        assert response.status_code == 200
        assert 'name="tax_id"' in html(response)
        assert 'class="form-control"' in html(response)

    def test_invalid_nip_is_reported_on_its_field_and_nothing_is_saved(self, logged_in):
        response = logged_in.post(reverse("customers:create"), self.data(tax_id="526-000-12-45"))

        assert response.status_code == 200
        assert not Customer.objects.exists()
        assert list(response.context["form"].errors) == ["tax_id"]
        field = re.search(r'<input[^>]*name="tax_id"[^>]*>', html(response)).group(0)
        assert "is-invalid" in field
        feedback = re.search(
            r'class="invalid-feedback" id="id_tax_id_error">(.*?)</div>', html(response)
        )
        assert "Enter a valid Polish tax identification number" in feedback.group(1)

    @pytest.mark.parametrize("typed", ["PL 526-000-12-46", "526 000 12 46", "5260001246"])
    def test_valid_nip_is_stored_as_ten_digits(self, logged_in, typed):
        response = logged_in.post(reverse("customers:create"), self.data(tax_id=typed))

        customer = Customer.objects.get(code="K-100")
        assert customer.tax_id == VALID_NIP
        assert response.status_code == 302
        assert response["Location"] == customer.get_absolute_url()

    def test_saving_shows_a_success_message_on_the_detail_page(self, logged_in):
        response = logged_in.post(reverse("customers:create"), self.data(), follow=True)

        assert response.redirect_chain[-1][0] == Customer.objects.get().get_absolute_url()
        assert "Customer “Budimex Serwis” was created." in html(response)

    def test_duplicate_code_is_reported_on_the_code_field(self, logged_in, customer):
        response = logged_in.post(reverse("customers:create"), self.data(code=customer.code))

        assert Customer.objects.count() == 1
        assert "code" in response.context["form"].errors

    def test_missing_name_is_required(self, logged_in):
        response = logged_in.post(reverse("customers:create"), self.data(name=""))

        assert not Customer.objects.exists()
        assert "name" in response.context["form"].errors

    def test_edit_changes_the_customer_and_can_deactivate_it(self, logged_in, customer):
        url = reverse("customers:update", args=[customer.pk])
        form = logged_in.get(url)
        data = self.data(code=customer.code, name="Hydro-Tech SA")
        del data["is_active"]

        response = logged_in.post(url, data)

        customer.refresh_from_db()
        assert 'value="Hydro-Tech Sp. z o.o."' in html(form)
        assert response["Location"] == customer.get_absolute_url()
        assert customer.name == "Hydro-Tech SA"
        assert customer.is_active is False


@pytest.mark.django_db
class TestCustomerDetail:
    def test_shows_customer_data_and_its_contact_persons(self, logged_in, contact):
        customer = contact.customer
        customer.tax_id = VALID_NIP
        customer.save()
        ContactPersonFactory(first_name="Ewa", last_name="Inna")  # another customer's

        response = logged_in.get(detail_url(customer))

        page = html(response)
        assert customer.name in page
        assert "526-000-12-46" in page
        rows = table_rows(response, "contact-table")
        assert len(rows) == 1
        assert "Jan Kowalski" in rows[0]
        assert reverse("customers:contact_update", args=[contact.pk]) in rows[0]
        assert reverse("customers:contact_create", args=[customer.pk]) in page

    def test_offers_new_meeting_contact_and_task_for_this_customer(self, logged_in, customer):
        page = html(logged_in.get(detail_url(customer)))

        create = reverse("activities:create")
        for kind in ("meeting", "contact", "task"):
            assert f"{create}?kind={kind}&amp;customer={customer.pk}" in page
        assert "New meeting" in page and "New contact" in page and "New task" in page

    def test_has_all_activities_tab_and_one_per_kind(self, logged_in, customer):
        response = logged_in.get(detail_url(customer))

        tabs = re.search(r'id="activity-tabs".*?</ul>', html(response), re.S).group(0)
        for label, tab in [
            ("All activities", "all"),
            ("Meetings", "meeting"),
            ("Contacts", "contact"),
            ("Tasks", "task"),
        ]:
            assert label in tabs
            assert f'href="?tab={tab}"' in tabs
        assert response.context["tab"] == "all"

    def test_a_meeting_is_on_all_activities_and_meetings_but_not_tasks(self, logged_in, customer):
        ActivityFactory(customer=customer, kind=ActivityKind.MEETING, subject="Contract talk")

        everything = html(logged_in.get(detail_url(customer)))
        meetings = html(logged_in.get(detail_url(customer, tab="meeting")))
        tasks = html(logged_in.get(detail_url(customer, tab="task")))

        assert "Contract talk" in everything
        assert "Contract talk" in meetings
        assert "Contract talk" not in tasks
        assert 'id="no-activities"' in tasks

    def test_a_kind_tab_hides_the_kind_filter(self, logged_in, customer):
        everything = html(logged_in.get(detail_url(customer)))
        meetings = html(logged_in.get(detail_url(customer, tab="meeting")))

        assert 'id="filter_kind"' in everything
        assert 'id="filter_kind"' not in meetings
        assert '<input type="hidden" name="tab" value="meeting">' in meetings

    def test_lists_only_this_customers_activities(self, logged_in, customer):
        ActivityFactory(customer=customer, subject="Ours")
        ActivityFactory(subject="Somebody else's")

        page = html(logged_in.get(detail_url(customer)))

        assert "Ours" in page
        assert "Somebody else&#x27;s" not in page

    def test_status_filter_narrows_the_list(self, logged_in, customer):
        ActivityFactory(customer=customer, subject="Held one", status=ActivityStatus.ENDED)
        ActivityFactory(customer=customer, subject="Planned one")

        response = logged_in.get(detail_url(customer, tab="meeting", status="ended"))

        rows = table_rows(response, "activity-table")
        assert len(rows) == 1
        assert "Held one" in rows[0]

    def test_activities_are_newest_first(self, logged_in, customer):
        now = timezone.now().replace(microsecond=0)
        ActivityFactory(customer=customer, subject="Oldest", start=now - timedelta(days=9))
        ActivityFactory(customer=customer, subject="Newest", start=now + timedelta(days=3))
        ActivityFactory(customer=customer, subject="Middle", start=now)

        rows = table_rows(logged_in.get(detail_url(customer)), "activity-table")

        subjects = [re.search(r"(Oldest|Newest|Middle)", row).group(1) for row in rows]
        assert subjects == ["Newest", "Middle", "Oldest"]

    def test_header_counts_activities_per_status_and_kind(self, logged_in, customer):
        ActivityFactory(customer=customer, status=ActivityStatus.ENDED)
        ActivityFactory(customer=customer, kind=ActivityKind.TASK)
        ActivityFactory(customer=customer, kind=ActivityKind.TASK)

        response = logged_in.get(detail_url(customer))

        summary = response.context["summary"]
        assert summary["total"] == 3
        assert dict(summary["by_status"])["Ended"] == 1
        assert dict(summary["by_status"])["Planned"] == 2
        assert summary["by_kind"] == {"meeting": 1, "contact": 0, "task": 2}

    def test_activities_are_paginated_keeping_the_tab(self, logged_in, customer, settings):
        settings.ACTIVITY_PAGE_SIZE = 5
        start = timezone.now().replace(microsecond=0)
        for n in range(7):
            ActivityFactory(customer=customer, subject=f"Visit {n}", start=start - timedelta(n))

        first = logged_in.get(detail_url(customer, tab="meeting"))
        second = logged_in.get(detail_url(customer, tab="meeting", page=2))

        assert len(table_rows(first, "activity-table")) == 5
        assert len(table_rows(second, "activity-table")) == 2
        assert "Visit 6" in html(second)
        assert "?tab=meeting&amp;page=2" in html(first)

    def test_htmx_filter_request_gets_only_the_activity_table(self, logged_in, contact):
        ActivityFactory(customer=contact.customer, subject="Contract talk")

        response = logged_in.get(detail_url(contact.customer, tab="all", q="contract"), **HTMX)

        page = html(response)
        assert 'id="activity-table"' in page
        assert "Contract talk" in page
        assert "<html" not in page
        assert 'id="contact-table"' not in page
        assert "HX-Request" in response["Vary"]

    def test_unknown_customer_is_not_found(self, logged_in):
        response = logged_in.get(reverse("customers:detail", args=[999999]))

        assert response.status_code == 404

    def test_query_count_does_not_grow_with_the_number_of_activities(
        self, logged_in, customer, django_assert_max_num_queries
    ):
        ContactPersonFactory.create_batch(3, customer=customer)
        ActivityFactory(customer=customer)
        queries_of(logged_in, detail_url(customer))  # the dictionaries' first read
        few = queries_of(logged_in, detail_url(customer))
        few_htmx = queries_of(logged_in, detail_url(customer, status="planned"), **HTMX)
        ActivityFactory.create_batch(29, customer=customer)
        ContactPersonFactory.create_batch(10, customer=customer)

        many = queries_of(logged_in, detail_url(customer))
        many_htmx = queries_of(logged_in, detail_url(customer, status="planned"), **HTMX)
        # 11 for the page (employees.backends: the user with their employee and role,
        # the permissions of the Delete button in one), the dictionaries kept; the cost
        # totals load after it (TestCustomerCosts).
        with django_assert_max_num_queries(11):
            response = logged_in.get(detail_url(customer))

        assert len(table_rows(response, "activity-table")) == 25
        assert many == few
        assert many_htmx == few_htmx

    def test_an_unfiltered_tab_is_paginated_by_its_badge_without_counting_again(
        self, logged_in, customer
    ):
        ActivityFactory.create_batch(27, customer=customer, kind=ActivityKind.MEETING)
        ActivityFactory.create_batch(2, customer=customer, kind=ActivityKind.TASK)
        ActivityFactory(customer=customer, kind=ActivityKind.TASK, status=ActivityStatus.ENDED)

        def page_of(**params):
            with CaptureQueriesContext(connection) as queries:
                response = logged_in.get(detail_url(customer, **params))
            counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*) FROM")]
            return response.context["page_obj"].paginator, counts

        paginator, counts = page_of()
        assert (paginator.count, paginator.num_pages, counts) == (30, 2, [])
        paginator, counts = page_of(tab="task")
        assert (paginator.count, paginator.num_pages, counts) == (3, 1, [])
        # The All tab filtered by kind: the same rows as the kind's tab.
        paginator, counts = page_of(kind="task")
        assert (paginator.count, paginator.num_pages, counts) == (3, 1, [])
        paginator, counts = page_of(tab="nonsense", kind="meeting")
        assert (paginator.count, paginator.num_pages, counts) == (27, 2, [])
        # Filtered, the rows are no longer those of a badge: counted.
        paginator, counts = page_of(tab="task", status="ended")
        assert (paginator.count, len(counts)) == (1, 1)
        paginator, counts = page_of(status="planned")
        assert (paginator.count, paginator.num_pages, len(counts)) == (29, 2, 1)


@pytest.mark.django_db
class TestCustomerCosts:
    """The cost totals come after the page, from their own URL: they read every activity
    of the customer, which for thousands of them takes longer than the rest of the page.
    The numbers themselves are tested with the cost report (reports/tests)."""

    def costs_url(self, customer) -> str:
        return reverse("customers:costs", args=[customer.pk])

    def test_the_page_loads_its_cost_totals_after_itself(self, logged_in, customer):
        ActivityFactory(customer=customer, expected_cost=100, expected_cost_currency_id="PLN")

        response = logged_in.get(detail_url(customer))

        placeholder = re.search(r'<div id="customer-costs"[^>]*>', html(response)).group(0)
        assert f'hx-get="{self.costs_url(customer)}"' in placeholder
        assert 'hx-trigger="load"' in placeholder and 'hx-swap="outerHTML"' in placeholder
        assert "costs" not in response.context
        assert "Costs in PLN" not in html(response)

    def test_the_totals_are_those_of_all_the_customer_s_activities(self, logged_in, customer):
        ActivityFactory(
            customer=customer,
            expected_cost=100,
            expected_cost_currency_id="PLN",
            actual_cost=Decimal("120.50"),
            actual_cost_currency_id="PLN",
        )
        ActivityFactory(customer=customer, expected_cost=50, expected_cost_currency_id="PLN")
        ActivityFactory(expected_cost=999, expected_cost_currency_id="PLN")  # another customer

        response = logged_in.get(self.costs_url(customer), **HTMX)

        total = response.context["costs"].total
        assert (total.expected.base, total.actual.base) == (Decimal("150.00"), Decimal("120.50"))
        assert html(response).startswith('<div id="customer-costs"')
        assert 'data-amount="150.00"' in html(response)
        assert "<html" not in html(response)

    def test_only_the_activities_the_user_may_see_count(self, logged_in, employee, settings):
        settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = False
        mine = ActivityFactory(leader=employee, expected_cost=10, expected_cost_currency_id="PLN")
        ActivityFactory(customer=mine.customer, expected_cost=70, expected_cost_currency_id="PLN")

        response = logged_in.get(self.costs_url(mine.customer), **HTMX)

        assert response.context["costs"].total.expected.base == Decimal("10.00")

    def test_an_unknown_customer_is_not_found(self, logged_in):
        response = logged_in.get(reverse("customers:costs", args=[999999]), **HTMX)

        assert response.status_code == 404

    def test_anonymous_visitors_log_in_first(self, client, customer):
        response = client.get(self.costs_url(customer), **HTMX)

        assert response.status_code == 302

    def test_query_count_does_not_grow_with_the_number_of_activities(
        self, logged_in, customer, django_assert_max_num_queries
    ):
        def add(n):
            for i in range(n):
                ActivityFactory(
                    customer=customer,
                    start=timezone.now() - timedelta(days=i),
                    expected_cost=10,
                    expected_cost_currency_id=("PLN", "EUR", "USD")[i % 3],
                )

        add(3)
        few = queries_of(logged_in, self.costs_url(customer), **HTMX)
        add(30)

        many = queries_of(logged_in, self.costs_url(customer), **HTMX)
        # 3 for the session, user and employee, 1 for the customer, 5 for the totals
        # (reports.selectors.cost_report).
        with django_assert_max_num_queries(9):
            logged_in.get(self.costs_url(customer), **HTMX)

        assert many == few


@pytest.mark.django_db
class TestContactPersons:
    data = {
        "first_name": "Ewa",
        "last_name": "Zielińska",
        "position": "Purchasing manager",
        "email": "ewa@hydro.example",
        "phone": "600 100 200",
        "is_active": "on",
    }

    def test_adding_a_contact_person_puts_it_under_the_customer_in_the_url(
        self, logged_in, customer
    ):
        other = CustomerFactory()
        url = reverse("customers:contact_create", args=[customer.pk])

        response = logged_in.post(url, {**self.data, "customer": other.pk}, follow=True)

        person = ContactPerson.objects.get(last_name="Zielińska")
        assert person.customer == customer
        assert response.redirect_chain[-1][0] == customer.get_absolute_url()
        assert "Ewa Zielińska" in html(response)

    def test_contact_person_form_has_no_customer_field(self, logged_in, customer):
        response = logged_in.get(reverse("customers:contact_create", args=[customer.pk]))

        assert response.status_code == 200
        assert 'name="last_name"' in html(response)
        assert 'name="customer"' not in html(response)

    def test_last_name_is_required(self, logged_in, customer):
        url = reverse("customers:contact_create", args=[customer.pk])

        response = logged_in.post(url, {**self.data, "last_name": ""})

        assert response.status_code == 200
        assert not ContactPerson.objects.exists()
        field = re.search(r'<input[^>]*name="last_name"[^>]*>', html(response)).group(0)
        assert "is-invalid" in field

    def test_editing_a_contact_person_returns_to_its_customer(self, logged_in, contact):
        url = reverse("customers:contact_update", args=[contact.pk])

        response = logged_in.post(url, {**self.data, "first_name": "Janusz", "is_active": ""})

        contact.refresh_from_db()
        assert response["Location"] == contact.customer.get_absolute_url()
        assert contact.first_name == "Janusz"
        assert contact.is_active is False


@pytest.mark.django_db
class TestDeleteCustomer:
    """Deleting needs customers.delete_customer (administrators; employees.roles)."""

    def test_an_employee_may_not_delete(self, logged_in, customer):
        assert logged_in.get(reverse("customers:delete", args=[customer.pk])).status_code == 403
        assert logged_in.post(reverse("customers:delete", args=[customer.pk])).status_code == 403
        assert Customer.objects.filter(pk=customer.pk).exists()

    def test_confirm_page_deletes_nothing(self, admin_client, contact):
        response = admin_client.get(reverse("customers:delete", args=[contact.customer.pk]))

        assert response.status_code == 200
        assert 'id="delete-form"' in html(response)
        assert Customer.objects.filter(pk=contact.customer.pk).exists()

    def test_customer_without_activities_is_deleted_with_its_contact_persons(
        self, admin_client, contact
    ):
        customer = contact.customer

        response = admin_client.post(reverse("customers:delete", args=[customer.pk]), follow=True)

        assert response.redirect_chain[-1][0] == reverse("customers:list")
        assert not Customer.objects.filter(pk=customer.pk).exists()
        assert not ContactPerson.objects.filter(pk=contact.pk).exists()
        assert "was deleted" in html(response)

    def test_customer_with_activities_is_refused_and_told_to_deactivate(
        self, admin_client, customer
    ):
        ActivityFactory(customer=customer)

        response = admin_client.post(reverse("customers:delete", args=[customer.pk]), follow=True)

        assert response.redirect_chain[-1][0] == customer.get_absolute_url()
        assert Customer.objects.filter(pk=customer.pk).exists()
        assert customer.contact_persons.count() == 1
        assert "alert-danger" in html(response)
        assert "Deactivate the customer instead" in html(response)

    def test_confirm_page_of_a_customer_with_activities_offers_no_delete(
        self, admin_client, customer
    ):
        ActivityFactory(customer=customer)

        response = admin_client.get(reverse("customers:delete", args=[customer.pk]))

        assert 'id="delete-blocked"' in html(response)
        assert 'id="delete-form"' not in html(response)


@pytest.fixture(autouse=True)
def _all_activities_visible(settings):
    """These tests are about what the pages and the API do with activities of any
    employee; who may see which is tested in activities/tests/test_access.py."""
    settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE = True
