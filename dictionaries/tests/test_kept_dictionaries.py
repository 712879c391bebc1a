"""The dictionaries a save reads every time are kept in the cache (dictionaries.selectors):
read once, forgotten by every change made through the models, never kept from a
transaction that changed them (it may roll back)."""

import pytest
from django.db import transaction

from dictionaries.models import ActivityPriority, Currency
from dictionaries.selectors import currency_of, default_priority
from dictionaries.services import (
    currency_activate,
    currency_deactivate,
    dictionary_entry_create,
    dictionary_entry_set_default,
)

pytestmark = pytest.mark.django_db


def test_read_once_then_kept(django_assert_num_queries):
    pln = Currency.objects.get(code="PLN")
    with django_assert_num_queries(2):  # the default priority; every currency
        first = default_priority()
        assert currency_of("PLN") == pln
    with django_assert_num_queries(0):
        again, chf, unknown = default_priority(), currency_of("CHF"), currency_of("XXX")
    assert again == first == ActivityPriority.objects.get(is_default=True)
    assert chf == Currency.objects.get(code="CHF") and unknown is None


def test_a_change_through_the_services_is_read_at_once():
    assert default_priority().is_default
    other = ActivityPriority.objects.filter(is_active=True, is_default=False).first()
    dictionary_entry_set_default(entry=other)
    assert default_priority() == other

    assert currency_of("CHF").is_active
    currency_deactivate(currency=Currency.objects.get(code="CHF"))
    assert not currency_of("CHF").is_active
    currency_activate(currency=Currency.objects.get(code="CHF"))
    assert currency_of("CHF").is_active


def test_what_a_rolled_back_change_read_is_not_kept():
    before = default_priority()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        made = dictionary_entry_create(model=ActivityPriority, name_pl="Pilny", name_en="Urgent")
        dictionary_entry_set_default(entry=made)
        assert default_priority() == made  # this transaction sees its own change
        raise Undo

    assert default_priority() == before  # not the entry that no longer exists


def test_a_transaction_that_changed_a_dictionary_reads_its_own_change():
    from django.core.cache import cache

    before = default_priority()
    other = ActivityPriority.objects.filter(is_active=True, is_default=False).first()
    with transaction.atomic():
        dictionary_entry_set_default(entry=other)
        # Another process keeps the committed (old) default in the meantime.
        cache.set("dictionaries:default-priority", [before])
        assert default_priority() == other


def test_list_filters_offer_the_kept_entries_and_a_rename_at_once(logged_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dictionaries.models import ActivityCategory
    from dictionaries.services import dictionary_entry_rename

    logged_in.get("/activities/")  # keeps the entries
    with CaptureQueriesContext(connection) as queries:
        page = logged_in.get("/activities/").content.decode()
    assert not [q for q in queries if "dictionaries_activity" in q["sql"]]
    category = ActivityCategory.objects.first()
    assert f'<option value="{category.pk}">{category.name_en}</option>' in page

    dictionary_entry_rename(entry=category, name_pl="Nowa nazwa", name_en="New name")
    page = logged_in.get("/activities/").content.decode()
    assert f'<option value="{category.pk}">New name</option>' in page
    # A chosen value is still checked against the database.
    chosen = logged_in.get("/activities/", {"category": category.pk}).content.decode()
    assert f'<option value="{category.pk}" selected>New name</option>' in chosen
