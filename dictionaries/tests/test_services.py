"""The rules of the CRM dictionaries, tested through `dictionaries.services`."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from activities.services import ActivityInput, activity_create
from activities.tests.factories import ActivityFactory
from dictionaries.models import ActivityCategory, ActivityPriority
from dictionaries.services import (
    dictionary_entry_activate,
    dictionary_entry_clear_default,
    dictionary_entry_create,
    dictionary_entry_deactivate,
    dictionary_entry_delete,
    dictionary_entry_move,
    dictionary_entry_rename,
    dictionary_entry_set_default,
)

pytestmark = pytest.mark.django_db


def priority(name_en: str) -> ActivityPriority:
    return ActivityPriority.objects.get(name_en=name_en)


def category(name_en: str) -> ActivityCategory:
    return ActivityCategory.objects.get(name_en=name_en)


def names_in_order(model) -> list[str]:
    return list(model.objects.order_by("position", "id").values_list("name_en", flat=True))


def new_meeting(customer, contact, employee, **overrides) -> ActivityInput:
    zone = ZoneInfo("Europe/Warsaw")
    values = {
        "kind": "meeting",
        "subject": "Price list",
        "customer": customer,
        "contact_persons": [contact],
        "employees": [employee],
        "start": datetime(2026, 5, 4, 10, 0, tzinfo=zone),
        "end": datetime(2026, 5, 4, 11, 0, tzinfo=zone),
    }
    values.update(overrides)
    return ActivityInput(**values)


class TestSeed:
    def test_priorities_are_low_normal_high_with_normal_the_default(self):
        assert names_in_order(ActivityPriority) == ["Low", "Normal", "High"]
        assert list(ActivityPriority.objects.filter(is_default=True)) == [priority("Normal")]
        assert priority("Normal").name_pl == "Normalny"

    def test_categories_are_the_four_of_the_article_with_polish_names(self):
        rows = ActivityCategory.objects.order_by("position").values_list("name_pl", "name_en")
        assert list(rows) == [
            ("Negocjacje handlowe", "Trade negotiations"),
            ("Pozyskanie klienta", "Customer acquisition"),
            ("Realizacja zamówień", "Order fulfilment"),
            ("Utrzymanie klienta", "Customer retention"),
        ]
        assert not ActivityCategory.objects.filter(is_default=True).exists()


class TestCreate:
    def test_entry_is_added_last_active_and_not_default_with_names_stripped(self):
        entry = dictionary_entry_create(
            model=ActivityPriority, name_pl="  Pilny ", name_en=" Urgent  "
        )

        entry.refresh_from_db()
        assert (entry.name_pl, entry.name_en) == ("Pilny", "Urgent")
        assert entry.is_active and not entry.is_default
        assert names_in_order(ActivityPriority) == ["Low", "Normal", "High", "Urgent"]

    def test_blank_names_are_refused_per_field_and_nothing_is_saved(self):
        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_create(model=ActivityCategory, name_pl="   ", name_en="")

        assert set(exc_info.value.message_dict) == {"name_pl", "name_en"}
        assert ActivityCategory.objects.count() == 4

    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            ("en", "Ensure this value has at most 100 characters (it has 150)."),
            ("pl", "Upewnij się, że ta wartość ma co najwyżej 100 znaków (obecnie ma 150)."),
        ],
    )
    def test_a_too_long_name_is_refused_with_its_length(self, language, expected):
        """Forms and the API check first; this is what a caller of the service reads."""
        with translation.override(language), pytest.raises(ValidationError) as exc_info:
            dictionary_entry_create(model=ActivityPriority, name_pl="Pilny", name_en="y" * 150)

        assert exc_info.value.message_dict == {"name_en": [expected]}
        assert ActivityPriority.objects.count() == 3

    def test_a_name_taken_in_one_language_is_refused_for_that_language_only(self):
        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_create(model=ActivityPriority, name_pl="WYSOKI", name_en="Top")

        assert set(exc_info.value.message_dict) == {"name_pl"}
        assert ActivityPriority.objects.count() == 3

    def test_case_of_polish_letters_does_not_make_a_name_new(self):
        # SQLite's LIKE folds ASCII only; the rule must hold for Ż and Ó on both databases.
        dictionary_entry_create(model=ActivityCategory, name_pl="Żółte", name_en="Yellow")

        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_create(model=ActivityCategory, name_pl="żÓŁTE", name_en="yellow")

        assert set(exc_info.value.message_dict) == {"name_pl", "name_en"}
        assert ActivityCategory.objects.filter(name_en__iexact="yellow").count() == 1

    def test_the_same_name_may_be_used_in_the_other_dictionary(self):
        dictionary_entry_create(model=ActivityCategory, name_pl="Wysoki", name_en="High")

        assert ActivityCategory.objects.filter(name_pl="Wysoki", name_en="High").exists()


class TestRename:
    def test_both_names_change(self):
        entry = dictionary_entry_rename(
            entry=priority("High"), name_pl="Bardzo ważny", name_en="Very important"
        )

        entry.refresh_from_db()
        assert (entry.name_pl, entry.name_en) == ("Bardzo ważny", "Very important")
        assert not ActivityPriority.objects.filter(name_en="High").exists()

    def test_an_entry_may_change_the_case_of_its_own_name(self):
        entry = dictionary_entry_rename(entry=priority("High"), name_pl="WYSOKI", name_en="HIGH")

        entry.refresh_from_db()
        assert entry.name_en == "HIGH"

    def test_another_entrys_name_is_refused_and_nothing_changes(self):
        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_rename(entry=priority("High"), name_pl="Wysoki", name_en="normal")

        assert set(exc_info.value.message_dict) == {"name_en"}
        assert priority("High").name_pl == "Wysoki"


class TestMove:
    def test_up_swaps_with_the_entry_above(self):
        dictionary_entry_move(entry=priority("High"), direction="up")

        assert names_in_order(ActivityPriority) == ["Low", "High", "Normal"]

    def test_down_swaps_with_the_entry_below_and_positions_stay_one_to_n(self):
        dictionary_entry_move(entry=category("Trade negotiations"), direction="down")

        rows = ActivityCategory.objects.order_by("position").values_list("position", "name_en")
        assert list(rows) == [
            (1, "Customer acquisition"),
            (2, "Trade negotiations"),
            (3, "Order fulfilment"),
            (4, "Customer retention"),
        ]

    def test_the_first_entry_does_not_move_up(self):
        dictionary_entry_move(entry=priority("Low"), direction="up")

        assert names_in_order(ActivityPriority) == ["Low", "Normal", "High"]

    def test_entries_sharing_a_position_get_a_definite_order(self):
        ActivityPriority.objects.update(position=0)

        dictionary_entry_move(entry=priority("High"), direction="up")

        positions = dict(ActivityPriority.objects.values_list("name_en", "position"))
        assert positions == {"Low": 1, "High": 2, "Normal": 3}

    def test_an_unknown_direction_is_a_programming_error(self):
        with pytest.raises(ValueError):
            dictionary_entry_move(entry=priority("Low"), direction="sideways")  # type: ignore[arg-type]


class TestDefault:
    def test_setting_a_default_clears_the_old_one(self):
        dictionary_entry_set_default(entry=priority("High"))

        assert list(ActivityPriority.objects.filter(is_default=True)) == [priority("High")]

    def test_the_database_also_refuses_a_second_default(self):
        dictionary_entry_set_default(entry=priority("High"))

        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityPriority.objects.filter(name_en="Low").update(is_default=True)

    def test_an_inactive_entry_cannot_become_the_default(self):
        dictionary_entry_deactivate(entry=priority("Low"))

        with pytest.raises(ValidationError):
            dictionary_entry_set_default(entry=priority("Low"))

        assert priority("Normal").is_default
        assert not priority("Low").is_default

    def test_categories_may_be_left_without_a_default(self):
        dictionary_entry_set_default(entry=category("Order fulfilment"))

        dictionary_entry_clear_default(entry=category("Order fulfilment"))

        assert not ActivityCategory.objects.filter(is_default=True).exists()

    def test_priorities_may_not(self):
        with pytest.raises(ValidationError):
            dictionary_entry_clear_default(entry=priority("Normal"))

        assert priority("Normal").is_default


class TestDeactivate:
    def test_a_deactivated_priority_stays_on_its_activity_but_is_refused_for_new_ones(
        self, customer, contact, employee
    ):
        existing = ActivityFactory(priority=priority("High"))

        dictionary_entry_deactivate(entry=priority("High"))

        existing.refresh_from_db()
        assert existing.priority == priority("High")
        assert not priority("High").is_active
        with pytest.raises(ValidationError) as exc_info:
            activity_create(
                data=new_meeting(customer, contact, employee, priority=priority("High"))
            )
        assert "priority" in exc_info.value.message_dict

    def test_a_deactivated_category_is_refused_for_new_activities(
        self, customer, contact, employee
    ):
        existing = ActivityFactory(category=category("Customer retention"))

        dictionary_entry_deactivate(entry=category("Customer retention"))

        existing.refresh_from_db()
        assert existing.category == category("Customer retention")
        with pytest.raises(ValidationError) as exc_info:
            activity_create(
                data=new_meeting(
                    customer, contact, employee, category=category("Customer retention")
                )
            )
        assert "category" in exc_info.value.message_dict

    def test_the_default_priority_cannot_be_deactivated(self):
        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_deactivate(entry=priority("Normal"))

        assert exc_info.value.code == "default"
        normal = priority("Normal")
        assert normal.is_active and normal.is_default

    def test_deactivating_the_default_category_leaves_no_default(self):
        dictionary_entry_set_default(entry=category("Order fulfilment"))

        dictionary_entry_deactivate(entry=category("Order fulfilment"))

        entry = category("Order fulfilment")
        assert not entry.is_active and not entry.is_default
        assert not ActivityCategory.objects.filter(is_default=True).exists()

    def test_activating_offers_the_entry_again(self, customer, contact, employee):
        dictionary_entry_deactivate(entry=priority("High"))

        dictionary_entry_activate(entry=priority("High"))

        activity = activity_create(
            data=new_meeting(customer, contact, employee, priority=priority("High"))
        )
        assert activity.priority == priority("High")


class TestDelete:
    def test_an_unused_entry_is_deleted(self):
        entry = dictionary_entry_create(model=ActivityCategory, name_pl="Literówka", name_en="Typo")

        dictionary_entry_delete(entry=entry)

        assert not ActivityCategory.objects.filter(pk=entry.pk).exists()

    def test_an_entry_in_use_is_not_deleted(self):
        ActivityFactory(category=category("Customer acquisition"))

        with pytest.raises(ValidationError) as exc_info:
            dictionary_entry_delete(entry=category("Customer acquisition"))

        assert exc_info.value.code == "in_use"
        assert ActivityCategory.objects.filter(name_en="Customer acquisition").exists()

    def test_the_default_priority_is_not_deleted_even_unused(self):
        with pytest.raises(ValidationError):
            dictionary_entry_delete(entry=priority("Normal"))

        assert ActivityPriority.objects.filter(is_default=True).count() == 1


@pytest.mark.django_db
def test_a_currency_with_more_places_than_the_columns_is_refused():
    from dictionaries.models import Currency
    from dictionaries.services import currency_add

    with pytest.raises(ValidationError) as exc:
        currency_add(code="KWD")
    assert "3 decimal places" in exc.value.message_dict["code"][0]
    assert not Currency.objects.filter(code="KWD").exists()
    assert currency_add(code="SEK").is_active
