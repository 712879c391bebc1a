"""Configuration > Universal dictionaries > CRM, tested through HTTP."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from employees.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(slug: str) -> str:
    return reverse("dictionaries:list", args=[slug])


def action_url(slug: str, entry, action: str) -> str:
    return reverse("dictionaries:action", args=[slug, entry.pk, action])


def priority(name_en: str) -> ActivityPriority:
    return ActivityPriority.objects.get(name_en=name_en)


def category(name_en: str) -> ActivityCategory:
    return ActivityCategory.objects.get(name_en=name_en)


def names_in_order(model) -> list[str]:
    return list(model.objects.order_by("position", "id").values_list("name_en", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class TestAccess:
    def test_an_ordinary_employee_gets_403_on_the_page(self, logged_in):
        assert logged_in.get(page_url("priorities")).status_code == 403

    def test_an_ordinary_employee_gets_403_on_changes_and_nothing_changes(self, logged_in):
        response = logged_in.post(action_url("priorities", priority("High"), "default"))
        add = logged_in.post(
            reverse("dictionaries:add", args=["priorities"]),
            {"name_pl": "Pilny", "name_en": "Urgent"},
        )

        assert (response.status_code, add.status_code) == (403, 403)
        assert priority("Normal").is_default
        assert ActivityPriority.objects.count() == 3

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client):
        response = client.get(page_url("categories"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_administrator_who_is_not_a_superuser_gets_in(self, client):
        office = UserFactory(username="office")
        office.groups.add(Group.objects.get(name="administrator"))
        client.force_login(office)

        assert client.get(page_url("categories")).status_code == 200

    def test_changes_need_the_csrf_token(self, admin_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(admin_user)

        response = client.post(action_url("priorities", priority("High"), "default"))

        assert response.status_code == 403
        assert priority("Normal").is_default

    def test_changes_are_post_only(self, admin_client):
        response = admin_client.get(action_url("priorities", priority("High"), "default"))

        assert response.status_code == 405
        assert priority("Normal").is_default


class TestUrls:
    def test_an_unknown_dictionary_is_404(self, admin_client):
        assert admin_client.get(page_url("currencies")).status_code == 404

    def test_an_unknown_action_is_404(self, admin_client):
        response = admin_client.post(action_url("priorities", priority("High"), "explode"))

        assert response.status_code == 404

    def test_an_entry_of_the_other_dictionary_is_404(self, admin_client):
        entry = category("Customer retention")
        url = reverse("dictionaries:edit", args=["priorities", entry.pk])
        # Make sure the id is not also a priority's id by chance.
        ActivityPriority.objects.filter(pk=entry.pk).delete()

        assert admin_client.get(url).status_code == 404


class TestPage:
    def test_priorities_are_listed_in_order_with_both_names_default_and_uses(self, admin_client):
        ActivityFactory.create_batch(2, priority=priority("High"))

        response = admin_client.get(page_url("priorities"))

        assert response.status_code == 200
        rows = [
            (e.name_pl, e.name_en, e.is_default, e.activity_count)
            for e in response.context["entries"]
        ]
        assert rows == [
            ("Niski", "Low", False, 0),
            ("Normalny", "Normal", True, 0),
            ("Wysoki", "High", False, 2),
        ]
        html = response.content.decode()
        assert html.index("Niski") < html.index("Normalny") < html.index("Wysoki")

    def test_the_breadcrumb_names_the_place_in_configuration(self, admin_client):
        response = admin_client.get(page_url("categories"))

        breadcrumb = response.content.decode().split('class="breadcrumb', 1)[1].split("</ol>")[0]
        parts = [
            "Configuration",
            "Universal dictionaries",
            "CRM",
            "Activity categories",
        ]
        positions = [breadcrumb.index(part) for part in parts]
        assert positions == sorted(positions)

    def test_the_polish_page_shows_the_polish_names(self, admin_client):
        admin_client.cookies["django_language"] = "pl"

        response = admin_client.get(page_url("categories"))

        assert response.context["LANGUAGE_CODE"] == "pl"
        assert "Realizacja zamówień" in response.content.decode()

    def test_the_number_of_queries_does_not_grow_with_entries_or_activities(self, admin_client):
        with CaptureQueriesContext(connection) as few:
            admin_client.get(page_url("categories"))
        for n in range(10):
            ActivityCategory.objects.create(name_pl=f"Kategoria {n}", name_en=f"Category {n}")
        for entry in ActivityCategory.objects.all()[:5]:
            ActivityFactory(category=entry)

        with CaptureQueriesContext(connection) as many:
            admin_client.get(page_url("categories"))

        assert len(many) == len(few)

    def test_the_page_stays_within_a_fixed_query_budget(
        self, admin_client, django_assert_max_num_queries
    ):
        for entry in ActivityPriority.objects.all():
            ActivityFactory(priority=entry)

        with django_assert_max_num_queries(5):
            response = admin_client.get(page_url("priorities"))

        assert response.status_code == 200


class TestAdd:
    def test_an_entry_is_added_at_the_end(self, admin_client):
        response = admin_client.post(
            reverse("dictionaries:add", args=["priorities"]),
            {"name_pl": " Pilny ", "name_en": "Urgent"},
        )

        assert response.status_code == 302
        assert response["Location"] == page_url("priorities")
        assert names_in_order(ActivityPriority) == ["Low", "Normal", "High", "Urgent"]
        assert priority("Urgent").name_pl == "Pilny"

    def test_with_htmx_the_fragment_comes_back_with_the_new_entry(self, admin_client):
        response = admin_client.post(
            reverse("dictionaries:add", args=["categories"]),
            {"name_pl": "Serwis", "name_en": "Service"},
            **HTMX,
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="dictionary-entries"')
        assert "<html" not in html
        assert "Serwis" in html
        assert "Added “Service”." in html

    def test_empty_names_are_refused_per_field_and_nothing_is_saved(self, admin_client):
        response = admin_client.post(
            reverse("dictionaries:add", args=["categories"]), {"name_pl": "  ", "name_en": ""}
        )

        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"name_pl", "name_en"}
        assert ActivityCategory.objects.count() == 4

    def test_a_duplicate_name_is_shown_beside_its_field_and_nothing_is_saved(self, admin_client):
        response = admin_client.post(
            reverse("dictionaries:add", args=["categories"]),
            {"name_pl": "Nowa", "name_en": "order FULFILMENT"},
        )

        form = response.context["form"]
        assert set(form.errors) == {"name_en"}
        assert "already in this dictionary" in form.errors["name_en"][0]
        assert 'id="id_name_en-errors"' in response.content.decode()
        assert not ActivityCategory.objects.filter(name_pl="Nowa").exists()


class TestRename:
    def test_the_form_starts_with_the_current_names(self, admin_client):
        entry = priority("Low")

        response = admin_client.get(reverse("dictionaries:edit", args=["priorities", entry.pk]))

        assert response.context["form"].initial == {"name_pl": "Niski", "name_en": "Low"}

    def test_both_names_are_changed(self, admin_client):
        entry = priority("Low")

        response = admin_client.post(
            reverse("dictionaries:edit", args=["priorities", entry.pk]),
            {"name_pl": "Niski (zaległe)", "name_en": "Low (backlog)"},
        )

        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.name_pl, entry.name_en) == ("Niski (zaległe)", "Low (backlog)")

    def test_a_name_of_another_entry_is_refused_and_nothing_changes(self, admin_client):
        entry = priority("Low")

        response = admin_client.post(
            reverse("dictionaries:edit", args=["priorities", entry.pk]),
            {"name_pl": "wysoki", "name_en": "Lowest"},
        )

        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"name_pl"}
        entry.refresh_from_db()
        assert (entry.name_pl, entry.name_en) == ("Niski", "Low")


class TestReorder:
    def test_moving_down_changes_the_positions(self, admin_client):
        before = category("Trade negotiations").position

        response = admin_client.post(
            action_url("categories", category("Trade negotiations"), "down")
        )

        assert response.status_code == 302
        assert category("Trade negotiations").position == before + 1
        assert names_in_order(ActivityCategory)[:2] == [
            "Customer acquisition",
            "Trade negotiations",
        ]

    def test_with_htmx_moving_up_swaps_the_table_in_its_new_order(self, admin_client):
        response = admin_client.post(action_url("priorities", priority("High"), "up"), **HTMX)

        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("Wysoki") < html.index("Normalny")
        assert names_in_order(ActivityPriority) == ["Low", "High", "Normal"]


class TestDefault:
    def test_set_as_default_leaves_exactly_one_default(self, admin_client):
        response = admin_client.post(action_url("priorities", priority("High"), "default"))

        assert response.status_code == 302
        assert list(ActivityPriority.objects.filter(is_default=True)) == [priority("High")]

    def test_an_inactive_category_cannot_become_the_default(self, admin_client):
        admin_client.post(action_url("categories", category("Order fulfilment"), "deactivate"))

        response = admin_client.post(
            action_url("categories", category("Order fulfilment"), "default"), follow=True
        )

        assert not ActivityCategory.objects.filter(is_default=True).exists()
        assert any("activate it before" in m for m in messages_of(response))


class TestDeactivate:
    def test_a_deactivated_entry_stays_on_its_activity_and_is_shown_inactive(self, admin_client):
        activity = ActivityFactory(priority=priority("Low"))

        response = admin_client.post(
            action_url("priorities", priority("Low"), "deactivate"), follow=True
        )

        activity.refresh_from_db()
        assert activity.priority == priority("Low")
        assert not priority("Low").is_active
        rows = {e.name_en: e.is_active for e in response.context["entries"]}
        assert rows["Low"] is False
        assert 'id="entry-{}" class="text-secondary"'.format(priority("Low").pk) in (
            response.content.decode()
        )

    def test_the_default_priority_is_not_deactivated_and_the_user_is_told_why(self, admin_client):
        response = admin_client.post(
            action_url("priorities", priority("Normal"), "deactivate"), **HTMX
        )

        assert response.status_code == 200
        assert "Choose another default first." in response.content.decode()
        assert priority("Normal").is_active and priority("Normal").is_default

    def test_an_inactive_entry_can_be_activated_again(self, admin_client):
        admin_client.post(action_url("categories", category("Customer retention"), "deactivate"))

        admin_client.post(action_url("categories", category("Customer retention"), "activate"))

        assert category("Customer retention").is_active


class TestDelete:
    def test_an_unused_entry_is_deleted(self, admin_client):
        admin_client.post(
            reverse("dictionaries:add", args=["categories"]),
            {"name_pl": "Literówka", "name_en": "Typo"},
        )

        admin_client.post(action_url("categories", category("Typo"), "delete"))

        assert not ActivityCategory.objects.filter(name_en="Typo").exists()

    def test_an_entry_in_use_is_kept_and_offers_no_delete_button(self, admin_client):
        used = category("Customer acquisition")
        ActivityFactory(category=used)

        response = admin_client.post(action_url("categories", used, "delete"), follow=True)

        assert ActivityCategory.objects.filter(pk=used.pk).exists()
        assert any("cannot be deleted" in m for m in messages_of(response))
        html = response.content.decode()
        assert action_url("categories", used, "delete") not in html
        assert action_url("categories", category("Order fulfilment"), "delete") in html
