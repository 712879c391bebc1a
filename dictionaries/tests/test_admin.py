"""The admin of the dictionaries holds to the same rules as the Configuration pages."""

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityCategory, ActivityPriority, Currency

pytestmark = pytest.mark.django_db


def test_the_changelists_show_each_dictionary_with_its_uses(admin_client):
    ActivityFactory(category=ActivityCategory.objects.get(name_en="Order fulfilment"))

    for model in ("activitypriority", "activitycategory", "currency"):
        response = admin_client.get(reverse(f"admin:dictionaries_{model}_changelist"))
        assert response.status_code == 200

    response = admin_client.get(reverse("admin:dictionaries_activitycategory_changelist"))
    counts = {e.name_en: e.activity_count for e in response.context["cl"].result_list}
    assert counts["Order fulfilment"] == 1
    assert counts["Trade negotiations"] == 0


def test_an_entry_in_use_cannot_be_deleted(admin_client):
    used = ActivityCategory.objects.get(name_en="Customer retention")
    ActivityFactory(category=used)

    response = admin_client.post(
        reverse("admin:dictionaries_activitycategory_delete", args=[used.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ActivityCategory.objects.filter(pk=used.pk).exists()


def test_an_unused_entry_can_be_deleted(admin_client):
    unused = ActivityCategory.objects.get(name_en="Customer retention")

    admin_client.post(
        reverse("admin:dictionaries_activitycategory_delete", args=[unused.pk]), {"post": "yes"}
    )

    assert not ActivityCategory.objects.filter(pk=unused.pk).exists()


def test_a_duplicate_name_is_refused_in_the_admin_too(admin_client):
    response = admin_client.post(
        reverse("admin:dictionaries_activitypriority_add"),
        {"name_pl": "normalny", "name_en": "Urgent", "position": 4},
    )

    assert response.status_code == 200
    assert "name_pl" in response.context["adminform"].form.errors
    assert ActivityPriority.objects.count() == 3


def test_the_base_currency_cannot_be_deactivated(admin_client):
    response = admin_client.post(
        reverse("admin:dictionaries_currency_change", args=["PLN"]),
        {"name": "Polish Zloty", "minor_unit": 2},
    )

    assert response.status_code == 200
    assert "is_active" in response.context["adminform"].form.errors
    assert Currency.objects.get(code="PLN").is_active
