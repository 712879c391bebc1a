"""The activity table's rows (activities.presenters): each cell as the template's filters
showed it, in the request's language and the user's time zone."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import dateformat, formats, timezone, translation

from activities.models import Activity, ActivityKind, ActivityStatus
from activities.presenters import activity_rows, date_formatter
from activities.selectors import activity_table_rows
from activities.templatetags.activity_tags import employee_names
from activities.tests.factories import ActivityFactory, add_participant
from dictionaries.models import ActivityCategory
from employees.tests.factories import EmployeeFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def loaded(*activities: Activity) -> list[dict]:
    """The activities as the list pages read them (activity_table_rows), newest first."""
    ids = Activity.objects.filter(pk__in=[a.pk for a in activities]).order_by("-start", "-id")
    return activity_table_rows(list(ids.values_list("pk", flat=True)))


def rows_in(language: str, zone, activities, **kwargs):
    with translation.override(language), timezone.override(zone):
        return activity_rows(loaded(*activities), **kwargs)


class TestDateFormatter:
    """Formats as Django's `date` filter does, whatever the format and the language."""

    FORMATS = [
        "d.m.Y H:i",
        "j M Y, H:i",
        "j F Y",
        "N j, Y, G:i:s",
        "b/n/y E",
        r"\d\a\y: j \o\f F",
        "D, j M Y",  # a weekday: left to Django
        "P",  # "noon", "1:30 p.m.": left to Django
    ]
    VALUES = [
        datetime(2026, 11, 26, 14, 30, tzinfo=WARSAW),
        datetime(2026, 1, 5, 0, 7, 9, tzinfo=WARSAW),
        datetime(987, 5, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30),  # naive
    ]

    @pytest.mark.parametrize("language", ["pl", "en"])
    @pytest.mark.parametrize("format_string", FORMATS)
    def test_matches_djangos_dateformat(self, language, format_string):
        with translation.override(language):
            format_date = date_formatter(format_string)
            for value in self.VALUES:
                assert format_date(value) == dateformat.format(value, format_string)

    @pytest.mark.parametrize("language", ["pl", "en"])
    @pytest.mark.parametrize("name", ["SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"])
    def test_matches_the_date_filter_for_the_languages_formats(self, language, name):
        with translation.override(language):
            format_date = date_formatter(formats.get_format(name))
            for month in range(1, 13):
                value = datetime(2026, month, month + 10, month + 5, month * 4, tzinfo=WARSAW)
                if name == "SHORT_DATE_FORMAT":
                    value = value.date()
                assert format_date(value) == formats.date_format(value, name)

    def test_month_names_follow_the_active_language(self):
        value = date(2026, 5, 1)
        with translation.override("en"):
            english = date_formatter("F")(value)
        with translation.override("pl"):
            polish = date_formatter("F")(value)

        assert (english, polish) == ("May", "Maj")

    def test_a_time_specifier_given_a_date_is_djangos_error(self):
        with pytest.raises(TypeError):
            date_formatter("d.m.Y H:i")(date(2026, 11, 26))


@pytest.mark.django_db
class TestActivityRows:
    def test_start_in_the_users_zone_and_language(self):
        activity = ActivityFactory(start=datetime(2026, 11, 26, 13, 30, tzinfo=UTC))

        assert rows_in("pl", WARSAW, [activity])[0]["start"] == "26.11.2026 14:30"
        assert rows_in("pl", NEW_YORK, [activity])[0]["start"] == "26.11.2026 08:30"
        assert rows_in("en", WARSAW, [activity])[0]["start"] == "26 Nov 2026, 14:30"

    def test_all_day_shows_its_own_day_in_any_zone(self):
        activity = ActivityFactory(
            all_day=True,
            time_zone="Asia/Tokyo",
            start=datetime(2026, 12, 10, tzinfo=TOKYO),
            end=datetime(2026, 12, 11, tzinfo=TOKYO),
        )

        assert rows_in("pl", WARSAW, [activity])[0]["start"] == "10.12.2026"
        assert rows_in("en", NEW_YORK, [activity])[0]["start"] == "10 Dec 2026"

    def test_labels_classes_and_links(self):
        first = ActivityFactory()
        task = ActivityFactory(
            customer=first.customer,
            previous=first,
            kind=ActivityKind.TASK,
            status=ActivityStatus.ENDED,
            category=ActivityCategory.objects.order_by("pk").first(),
            start=first.start + timedelta(days=1),
        )

        row, first_row = rows_in("pl", WARSAW, [first, task])

        assert row["kind_label"] == "Zadanie"
        assert row["kind_icon"] == "bi-check2-square"
        assert (row["status"], row["status_label"]) == ("ended", "Zakończone")
        assert row["status_class"] == "text-bg-secondary"
        assert row["url"] == task.get_absolute_url()
        assert row["customer_url"] == task.customer.get_absolute_url()
        assert row["customer_name"] == task.customer.name
        assert row["priority"] == task.priority.name_pl
        assert row["category"] == task.category.name_pl
        assert (row["is_follow_up"], first_row["is_follow_up"]) == (True, False)
        assert first_row["category"] == ""

    def test_without_the_customer_column(self):
        activity = ActivityFactory()

        row = rows_in("en", WARSAW, [activity], with_customer=False)[0]

        assert (row["customer_url"], row["customer_name"]) == ("", "")

    def test_money_in_the_users_language(self):
        activity = ActivityFactory(
            expected_cost=Decimal("1250.50"), expected_cost_currency_id="PLN"
        )

        polish = rows_in("pl", WARSAW, [activity])[0]
        english = rows_in("en", WARSAW, [activity])[0]

        assert polish["expected_cost"] == "1\xa0250,50\xa0PLN"
        assert english["expected_cost"] == "1,250.50\xa0PLN"
        assert polish["actual_cost"] == ""

    def test_the_leader_is_marked(self):
        leader = EmployeeFactory(first_name="Anna", last_name="Nowak")
        activity = ActivityFactory(leader=leader)
        add_participant(activity, EmployeeFactory(first_name="Jan", last_name="Kowalski"))

        employees = rows_in("en", WARSAW, [activity])[0]["employees"]

        assert sorted(employees) == [("Anna Nowak", True), ("Jan Kowalski", False)]

    def test_reads_nothing_more_from_the_database(self, django_assert_num_queries):
        activities = [ActivityFactory(category=ActivityCategory.objects.first()) for _ in range(3)]
        ready = loaded(*activities)

        with django_assert_num_queries(0):
            rows = activity_rows(ready)

        assert len(rows) == 3


def test_employee_names_bold_the_leader_and_escape():
    html = employee_names([("<b>Anna</b>", True), ("Jan & Co", False)])

    assert html == "<strong>&lt;b&gt;Anna&lt;/b&gt;</strong>, Jan &amp; Co"


@pytest.mark.django_db
def test_the_customer_page_row_in_polish(client, employee):
    """The whole row as the page shows it: the same HTML as the template's own filters
    gave before the rows were prepared in Python."""
    employee.time_zone = "Europe/Warsaw"
    employee.save()
    activity = ActivityFactory(
        leader=employee,
        subject="Umowa <ramowa>",
        start=datetime(2026, 11, 26, 13, 30, tzinfo=UTC),
        actual_cost=Decimal("1250.50"),
        actual_cost_currency_id="PLN",
    )
    client.force_login(employee.user)
    client.cookies["django_language"] = "pl"

    page = client.get(activity.customer.get_absolute_url()).content.decode()

    url = activity.get_absolute_url()
    assert (
        '<tr class="status-planned">\n'
        '      <td class="text-nowrap">26.11.2026 14:30</td>\n'
        '      <td class="text-nowrap"><i class="bi bi-people" aria-hidden="true"></i>'
        " Spotkanie</td>\n"
        f'      <td><a class="activity-subject" href="{url}">Umowa &lt;ramowa&gt;</a></td>\n'
        "      \n"
        "      <td><strong>Anna Nowak</strong></td>\n"
        f"      <td>{activity.priority.name_pl}</td>\n"
        "      <td></td>\n"
        '      <td><span class="badge text-bg-primary">Zaplanowane</span></td>\n'
        '      <td class="text-end text-nowrap"></td>\n'
        '      <td class="text-end text-nowrap">1\xa0250,50\xa0PLN</td>\n'
        "    </tr>"
    ) in page
