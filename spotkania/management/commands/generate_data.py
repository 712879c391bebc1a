"""`manage.py generate_data`: a large, realistic, repeatable data set for load tests.

    manage.py generate_data --activities 1000000 --customers 20000 --contacts 60000 \
        --employees 500 --seed 1

Without --customers/--contacts/--employees the counts scale with --activities, in the
proportions of a company with 500 salespeople and a million activities (20 000 customers,
60 000 contact persons). The activities spread over three years: 30 months back and 6
ahead of --today (default: today in Warsaw), on working days and working hours, busier
customers having more; about a third are follow-ups of an earlier one (chains linked by
`previous`, same customer and people); meetings carry expected and actual costs in PLN,
EUR, USD, GBP and CHF, and every working day of the range has an exchange rate for every
foreign currency.

Why not the services (as `seed_demo` does): speed. A service call checks and writes one
activity in a dozen queries; a million of them would take hours. This command writes rows
straight into the tables, COPY on PostgreSQL and batched executemany on SQLite, about a
hundred times faster. The data obeys the same rules by construction (contact persons of
the activity's own customer, the leader among the employees, end >= start, a currency with
every amount, at most one follow-up per activity) and the database's check, unique and
foreign-key constraints refuse anything that slips through; the tests check the rest.

Deterministic: the same --seed, --today and counts give the same rows (one
`random.Random(seed)` and one seeded Faker, drawn in a fixed order). It refuses a database
that already has activities unless --force (then it adds to them, ids after the last).
"""

from __future__ import annotations

import bisect
import itertools
import random
import sys
import time
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from activities.models import SHORT_SPAN, Activity, ActivityKind, ActivityStatus
from customers.models import ContactPerson, Customer
from dictionaries.models import ActivityCategory, ActivityPriority, Currency, ExchangeRate
from employees.models import Employee
from spotkania.management.commands.seed_demo import (
    CITIES,
    CITY_WEIGHTS,
    DEMO_RATES_PLN,
    GENERIC,
    NOTES,
    OFFICE_PLACES,
    ONLINE_PLACES,
    POSITIONS,
    SUBJECTS,
    ascii_slug,
    is_day_off,
)

# The proportions of the company: 1 000 000 activities, 20 000 customers,
# 60 000 contact persons, 500 employees.
PER_ACTIVITY = {"customers": 0.02, "contacts": 0.06, "employees": 0.0005}
MONTHS_BACK = 30
MONTHS_AHEAD = 6
ZONE_NAME = "Europe/Warsaw"
# A few activities are held abroad, in the zone of the place (costs in its currency).
OTHER_ZONES = [("Europe/Berlin", "EUR"), ("Europe/London", "GBP"), ("America/Chicago", "USD")]
OWN_DOMAIN = "spotkania.example"
BATCH = 20_000
MINUTES_PER_DAY = 1440
ORIGIN_LEAD = timedelta(days=15)  # see Generator._range

KINDS = [ActivityKind.MEETING.value, ActivityKind.CONTACT.value, ActivityKind.TASK.value]
KIND_WEIGHTS = [45, 35, 20]
MEETING_MINUTES = [30, 60, 60, 90, 120, 180]
CONTACT_MINUTES = [5, 10, 15, 15, 30]
TASK_MINUTES = [30, 60, 120, 240]
# Follow-up chains: how many activities a chain holds (1 = no follow-up).
CHAIN_LENGTHS = [1, 2, 3, 4, 5]
CHAIN_WEIGHTS = [55, 20, 12, 8, 5]
FOLLOW_UP_DAYS = [1, 2, 3, 7, 7, 14, 14, 21, 30, 60]
# Expected-cost currencies of meetings at home; abroad they are in the zone's currency.
COST_CURRENCIES = ["PLN", "EUR", "USD", "GBP", "CHF"]
COST_CURRENCY_WEIGHTS = [80, 10, 5, 3, 2]
FOREIGN_AMOUNT_SCALE = {"PLN": 1, "EUR": 0.25, "USD": 0.28, "GBP": 0.2, "CHF": 0.22}
CUSTOMER_PLACES = ["Siedziba klienta", "Zakład produkcyjny klienta", "Magazyn klienta"]
PRIORITY_WEIGHTS = [25, 60, 15]  # low, normal, high (by position)
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)

ACTIVITY_COLUMNS = (
    "id",
    "kind",
    "subject",
    "notes",
    "customer_id",
    "leader_id",
    "start",
    "end",
    "time_zone",
    "all_day",
    "place",
    "priority_id",
    "category_id",
    "status",
    "in_schedule",
    "expected_cost",
    "expected_cost_currency_id",
    "actual_cost",
    "actual_cost_currency_id",
    "previous_id",
    "ended_at",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
    "local_start_date",
)
CUSTOMER_COLUMNS = (
    "id",
    "code",
    "name",
    "tax_id",
    "address",
    "email",
    "phone",
    "is_active",
    "created_at",
    "updated_at",
)
CONTACT_COLUMNS = (
    "id",
    "customer_id",
    "first_name",
    "last_name",
    "position",
    "email",
    "phone",
    "is_active",
)
EMPLOYEE_COLUMNS = (
    "id",
    "user_id",
    "first_name",
    "last_name",
    "email",
    "time_zone",
    "is_active",
)


def valid_nip(rng: random.Random) -> str:
    """Ten digits with a correct check digit (a check sum of 10 is impossible: redraw)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(w * d for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _picker(rng: random.Random, weights):
    """A function drawing an index with the given weights (one bisect per draw; the
    same draws as would take `rng.choices`, without rebuilding its tables each call)."""
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    rand = rng.random
    last = len(cumulative) - 1

    def pick() -> int:
        return min(bisect.bisect_right(cumulative, rand() * total), last)

    return pick


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


class Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal, a line per
    tenth otherwise, so CI logs stay short)."""

    def __init__(self, label: str, total: int, stream=None, enabled: bool = True) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.next_tenth = 0.1

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled or n == 0:
            return
        fraction = min(self.done / self.total, 1.0)
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(
                f"\r{self.label:<12} [{bar:<30}] {self.done:>9}/{self.total} "
                f"{time.perf_counter() - self.started:6.1f}s"
            )
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif fraction >= self.next_tenth or self.done >= self.total:
            self.stream.write(
                f"{self.label}: {self.done}/{self.total} ({fraction:.0%}) "
                f"{time.perf_counter() - self.started:.1f}s\n"
            )
            while self.next_tenth <= fraction:
                self.next_tenth += 0.1


@dataclass
class Range:
    """The days of the data set and, per day, local midnight and noon as UTC minutes
    since `origin` (so a time of day is one addition, DST included)."""

    first: date
    days: int
    origin: datetime  # UTC midnight ORIGIN_LEAD before `first` (see _range)
    midnight: dict[str, list[int]]  # zone -> per day
    noon: dict[str, list[int]]
    working: list[int]  # indexes of working days
    today_index: int


class Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite, of rows of Python values
    (datetimes as the database's own text, read back as if Django had written them)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.extra: dict[str, tuple[tuple[str, ...], tuple]] = {}

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if table in self.extra:
            more, values = self.extra[table]
            columns, rows = columns + more, [row + values for row in rows]
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.postgres:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            connection.ensure_connection()
            connection.connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", rows
            )

    def drop_indexes(self, tables: list[str]) -> list[str]:
        """Drops the secondary indexes (and on PostgreSQL the foreign keys) of `tables`;
        returns the SQL that makes them again. Building an index once over a million
        rows is several times faster than updating it a million times, and re-adding a
        foreign key or a unique index checks every row: nothing goes unchecked."""
        with connection.cursor() as cursor:
            foreign_keys: list[str] = []
            if self.postgres:
                cursor.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                    "FROM pg_constraint WHERE contype = 'f' "
                    "AND conrelid::regclass::text = ANY(%s)",
                    [tables],
                )
                for table, name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    foreign_keys.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [tables],
                )
                indexes = cursor.fetchall()
            else:
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    f"AND sql IS NOT NULL AND tbl_name IN ({marks})",
                    tables,
                )
                indexes = [(connection.ops.quote_name(n), sql) for n, sql in cursor.fetchall()]
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        # Indexes first: the foreign keys' checks then find the rows through them.
        return [definition for _name, definition in indexes] + foreign_keys

    def restore(self, statements: list[str], *, progress: bool) -> None:
        bar = Progress("indexes", len(statements), enabled=progress)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                bar.update(1)


class Generator:
    def __init__(
        self,
        *,
        activities: int,
        customers: int,
        contacts: int,
        employees: int,
        seed: int,
        today: date,
        now: datetime,
        progress: bool = True,
    ) -> None:
        self.n_activities = activities
        self.n_customers = customers
        self.n_contacts = contacts
        self.n_employees = employees
        self.rng = random.Random(seed)
        self.fake = Faker("pl_PL")
        self.fake.seed_instance(seed)
        self.today = today
        self.progress = progress
        self.writer = Writer()
        # Datetimes are written as text: naive UTC on SQLite (as Django writes them),
        # with the offset on PostgreSQL.
        self.tz_suffix = "+00" if self.writer.postgres else ""
        self.priorities = list(
            ActivityPriority.objects.active()
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        categories = ActivityCategory.objects.active().order_by("position", "id")
        self.categories = [(c.pk, c.name_en) for c in categories]
        if not self.priorities:
            raise CommandError("No active activity priority: run the migrations first.")
        self.base = Currency.base_code() or "PLN"
        active = set(Currency.objects.active().values_list("code", flat=True))
        self.cost_currencies = [c for c in COST_CURRENCIES if c in active] or [self.base]
        self.cost_weights = [
            w for c, w in zip(COST_CURRENCIES, COST_CURRENCY_WEIGHTS, strict=True) if c in active
        ] or [1]
        self.range = self._range()
        self.now = now
        self.now_minute = int((now - self.range.origin).total_seconds() // 60)
        self.stamp_cache: dict[int, str] = {}
        origin_day = self.range.origin.date()
        self.day_strings = [
            (origin_day + timedelta(days=i)).isoformat()
            for i in range(self.range.days + 400 + ORIGIN_LEAD.days)
        ]
        self.hm = [f" {m // 60:02d}:{m % 60:02d}:00" for m in range(MINUTES_PER_DAY)]
        self.counts: dict[str, int] = {}

    # Time ---------------------------------------------------------------------------

    def _range(self) -> Range:
        first = add_months(self.today, -MONTHS_BACK)
        last = add_months(self.today, MONTHS_AHEAD)
        days = (last - first).days
        # Minutes count from UTC midnight ORIGIN_LEAD before the range, so that no time
        # stamped is before it: the range's first local midnight in a zone east of UTC
        # (Warsaw) is the previous UTC day, and an activity is created up to 14 days before
        # its start. From an origin on the first day these were negative minutes, stamped
        # with dates from the end of the range (an activity ending before it started when
        # the first day was a working day; created after it started).
        origin_day = first - ORIGIN_LEAD
        origin = datetime(origin_day.year, origin_day.month, origin_day.day, tzinfo=UTC)
        midnight: dict[str, list[int]] = {}
        noon: dict[str, list[int]] = {}
        for zone_name in [ZONE_NAME] + [z for z, _c in OTHER_ZONES]:
            zone = zoneinfo.ZoneInfo(zone_name)
            mids, noons = [], []
            # One day more than the range: an all-day activity ends at the next midnight.
            for i in range(days + 400):
                day = first + timedelta(days=i)
                local = datetime(day.year, day.month, day.day, tzinfo=zone)
                mids.append(int((local - origin).total_seconds() // 60))
                noons.append(int((local.replace(hour=12) - origin).total_seconds() // 60))
            midnight[zone_name], noon[zone_name] = mids, noons
        working = [i for i in range(days) if not is_day_off(first + timedelta(days=i))]
        return Range(first, days, origin, midnight, noon, working, (self.today - first).days)

    def stamp(self, minute: int) -> str:
        """UTC minutes since the origin as the database's datetime text."""
        day, rest = divmod(minute, MINUTES_PER_DAY)
        assert day >= 0, minute  # see _range
        return self.day_strings[day] + self.hm[rest] + self.tz_suffix

    # People and customers -------------------------------------------------------------

    def _names(self, count: int) -> list[tuple[str, str, bool]]:
        """A pool of (first, last, woman) names from Faker, combined at random."""
        female_first = sorted({self.fake.first_name_female() for _ in range(300)})
        male_first = sorted({self.fake.first_name_male() for _ in range(300)})
        female_last = sorted({self.fake.last_name_female() for _ in range(600)})
        male_last = sorted({self.fake.last_name_male() for _ in range(600)})
        rng = self.rng
        names = []
        for _ in range(count):
            if rng.random() < 0.5:
                names.append((rng.choice(female_first), rng.choice(female_last), True))
            else:
                names.append((rng.choice(male_first), rng.choice(male_last), False))
        return names

    def employees(self, first_id: int) -> list[int]:
        rows, ids = [], []
        for i, (first, last, _woman) in enumerate(self._names(self.n_employees)):
            pk = first_id + i
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.{pk}@{OWN_DOMAIN}"
            active = self.rng.random() < 0.95
            rows.append(
                (
                    pk,
                    None,
                    (first),
                    (last),
                    email,
                    ZONE_NAME,
                    active,
                )
            )
            ids.append(pk)
        self.writer.write(Employee._meta.db_table, EMPLOYEE_COLUMNS, rows)
        self.counts["employees"] = len(rows)
        return ids

    def customers(self, first_id: int, first_contact_id: int):
        """Customers with their contact persons (one to six each, three on average).

        Returns per customer: its contact ids, its account manager's index and its
        weight (how busy it is)."""
        rng = self.rng
        pool_size = min(self.n_customers, 3000)
        pool: list[str] = []
        seen: set[str] = set()
        while len(pool) < pool_size:
            name = self.fake.company()
            if name not in seen and not name.startswith(("Stowarzyszenie", "Fundacja")):
                seen.add(name)
                pool.append(name)
        # Contacts per customer: at least one each, the rest spread at random.
        per_customer = [1] * self.n_customers
        for _ in range(self.n_contacts - self.n_customers):
            per_customer[rng.randrange(self.n_customers)] += 1
        created = self.range.origin - timedelta(days=400)
        customer_rows, contact_rows = [], []
        contacts: list[range] = []
        weights: list[float] = []
        contact_id = first_contact_id
        names = iter(self._names(self.n_contacts))
        bar = Progress("customers", self.n_customers, enabled=self.progress)
        for i in range(self.n_customers):
            pk = first_id + i
            name = pool[i % pool_size]
            city, prefixes = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            if i >= pool_size:
                name = f"{name} Oddział {city}"
            words = [w for w in pool[i % pool_size].split() if w[0].isupper() and "." not in w]
            domain = f"{ascii_slug(words[0]) if words else 'firma'}{pk}.example"
            address = (
                f"ul. {self.fake.street_name()} {rng.randint(1, 180)}\n"
                f"{rng.choice(prefixes)}-{rng.randint(1, 999):03d} {city}"
            )
            stamp = (created + timedelta(minutes=rng.randrange(400 * MINUTES_PER_DAY))).strftime(
                "%Y-%m-%d %H:%M:%S"
            ) + self.tz_suffix
            customer_rows.append(
                (
                    pk,
                    f"K{pk:07d}",
                    (name),
                    valid_nip(rng),
                    (address),
                    f"biuro@{domain}",
                    f"+48 {rng.randint(12, 99)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)}",
                    rng.random() < 0.97,
                    stamp,
                    stamp,
                )
            )
            ids = range(contact_id, contact_id + per_customer[i])
            for cid in ids:
                first, last, woman = next(names)
                contact_rows.append(
                    (
                        cid,
                        pk,
                        (first),
                        (last),
                        (rng.choice(POSITIONS)[0 if woman else 1]),
                        f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}",
                        f"+48 {rng.randint(500, 899)} {rng.randint(100, 999)} "
                        f"{rng.randint(100, 999)}",
                        rng.random() < 0.95,
                    )
                )
            contact_id += per_customer[i]
            contacts.append(ids)
            # Few busy customers, many quiet ones (a Pareto-like spread).
            weights.append(rng.paretovariate(1.5))
            if len(customer_rows) >= BATCH:
                self._flush_customers(customer_rows, contact_rows)
                bar.update(len(customer_rows))
                customer_rows, contact_rows = [], []
        self._flush_customers(customer_rows, contact_rows)
        bar.update(len(customer_rows))
        self.counts["customers"] = self.n_customers
        self.counts["contact_persons"] = contact_id - first_contact_id
        return contacts, weights

    def _flush_customers(self, customer_rows, contact_rows) -> None:
        self.writer.write(Customer._meta.db_table, CUSTOMER_COLUMNS, customer_rows)
        self.writer.write(ContactPerson._meta.db_table, CONTACT_COLUMNS, contact_rows)

    # Activities -----------------------------------------------------------------------

    def activities(
        self,
        *,
        first_id: int,
        customer_first_id: int,
        contacts: list[range],
        weights: list[float],
        employee_ids: list[int],
    ) -> None:
        """Chains of one to five activities (each after the first a follow-up of the one
        before: same customer, same people, a few days to two months later)."""
        rng = self.rng
        rand, randrange, choice = rng.random, rng.randrange, rng.choice
        r = self.range
        n = self.n_activities
        through_e = Activity.employees.through
        through_c = Activity.contact_persons.through
        tables = (
            (Activity._meta.db_table, ACTIVITY_COLUMNS),
            (
                through_e._meta.db_table,
                (
                    through_e._meta.get_field("activity").column,
                    through_e._meta.get_field("employee").column,
                    through_e._meta.get_field("customer").column,
                    "start",
                    "end",
                    "in_schedule",
                    "kind",
                    "status",
                    "long_running",
                ),
            ),
            (
                through_c._meta.db_table,
                (
                    through_c._meta.get_field("activity").column,
                    through_c._meta.get_field("contactperson").column,
                ),
            ),
        )
        n_employees = len(employee_ids)
        # Each customer has an account manager, who leads most of its activities.
        managers = [randrange(n_employees) for _ in contacts]
        pick_customer = _picker(rng, weights)
        # Later days are a little busier (the company grows): weights rise 1 -> 1.5.
        working = r.working
        pick_day = _picker(rng, [1 + 0.5 * i / len(working) for i in range(len(working))])
        pick_kind = _picker(rng, KIND_WEIGHTS)
        pick_chain = _picker(rng, CHAIN_WEIGHTS)
        pick_priority = _picker(rng, (PRIORITY_WEIGHTS + [5] * 20)[: len(self.priorities)])
        pick_currency = _picker(rng, self.cost_weights)
        extra_meeting = _picker(rng, (50, 35, 15))
        extra_other = _picker(rng, (85, 15, 0))
        day_off = [is_day_off(r.first + timedelta(days=i)) for i in range(r.days)]
        day_iso = [(r.first + timedelta(days=i)).isoformat() for i in range(r.days)]
        short_span = int(SHORT_SPAN.total_seconds() // 60)
        last_day = r.days - 1
        subjects = {
            (pk, kind): (SUBJECTS.get(name) or GENERIC)[kind]
            for pk, name in [*self.categories, (None, "")]
            for kind in KINDS
        }
        places_home = OFFICE_PLACES + ONLINE_PLACES + CUSTOMER_PLACES * 3
        priorities, categories = self.priorities, self.categories
        cost_currencies = self.cost_currencies
        stamp = self.stamp
        now_minute = self.now_minute
        ended_s, cancelled_s = ActivityStatus.ENDED.value, ActivityStatus.CANCELLED.value
        planned_s = ActivityStatus.PLANNED.value
        rows: list[tuple] = []
        e_rows: list[tuple] = []
        c_rows: list[tuple] = []
        bar = Progress("activities", n, enabled=self.progress)
        pk = first_id
        last_id = first_id + n - 1
        while pk <= last_id:
            length = min(CHAIN_LENGTHS[pick_chain()], last_id - pk + 1)
            c_index = pick_customer()
            customer_id = customer_first_id + c_index
            kind = KINDS[pick_kind()]
            # The people of a chain stay the same (a follow-up copies them).
            leader = employee_ids[managers[c_index] if rand() < 0.8 else randrange(n_employees)]
            team = [leader]
            for _ in range(extra_meeting() if kind == "meeting" else extra_other()):
                other = employee_ids[randrange(n_employees)]
                if other not in team:
                    team.append(other)
            people = contacts[c_index]
            chosen = [people[randrange(len(people))]]
            if len(people) > 1 and rand() < 0.3:
                other = people[randrange(len(people))]
                if other not in chosen:
                    chosen.append(other)
            category = choice(categories)[0] if categories and rand() < 0.9 else None
            priority = priorities[pick_priority()]
            abroad = kind == "meeting" and rand() < 0.02
            if abroad:
                zone, abroad_currency = OTHER_ZONES[randrange(len(OTHER_ZONES))]
                if abroad_currency not in cost_currencies:
                    abroad_currency = self.base
                place = f"Targi, {zone.split('/')[1]}"
            else:
                zone, abroad_currency = ZONE_NAME, None
                place = choice(places_home) if kind == "meeting" else ""
            midnight, noon = r.midnight[zone], r.noon[zone]
            day = working[pick_day()]
            in_schedule = kind != "contact" or rand() < 0.5
            subject = choice(subjects[category, kind])
            previous = None
            for link in range(length):
                all_day = kind == "task" and rand() < 0.15
                if all_day:
                    start = midnight[day]
                    end = midnight[day + 1 + (rand() < 0.2)]
                else:
                    if kind == "meeting":
                        minutes = choice(MEETING_MINUTES)
                        local = randrange(32, 64) * 15  # 8:00 to 15:45
                    elif kind == "contact":
                        minutes = choice(CONTACT_MINUTES)
                        local = randrange(96, 204) * 5  # 8:00 to 16:55
                    else:
                        minutes = choice(TASK_MINUTES)
                        local = randrange(16, 32) * 30
                    start = noon[day] - 720 + local
                    end = start + minutes
                if end < now_minute:
                    fate = rand()
                    status = ended_s if fate < 0.86 else cancelled_s if fate < 0.96 else planned_s
                else:
                    status = planned_s
                ended = status == ended_s
                expected = actual = expected_currency = actual_currency = None
                if kind == "meeting" and rand() < 0.6:
                    currency = abroad_currency or cost_currencies[pick_currency()]
                    value = rng.lognormvariate(6, 0.8) * FOREIGN_AMOUNT_SCALE.get(currency, 1)
                    expected, expected_currency = f"{value:.2f}", currency
                    if ended and rand() < 0.8:
                        actual = f"{value * rng.uniform(0.7, 1.3):.2f}"
                        actual_currency = currency
                created = min(start, now_minute) - randrange(30, 14 * MINUTES_PER_DAY)
                if ended:
                    ended_at = updated = stamp(end + randrange(5, 3 * MINUTES_PER_DAY))
                    version = 2
                else:
                    ended_at, updated, version = None, stamp(created), 1
                rows.append(
                    (
                        pk,
                        kind,
                        subject,
                        choice(NOTES) if rand() < 0.3 else "",
                        customer_id,
                        leader,
                        stamp(start),
                        stamp(end),
                        zone,
                        all_day,
                        place,
                        priority,
                        category,
                        status,
                        in_schedule,
                        expected,
                        expected_currency,
                        actual,
                        actual_currency,
                        previous,
                        ended_at,
                        None,
                        stamp(created),
                        updated,
                        version,
                        day_iso[day],  # every start is on its local day `day`
                    )
                )
                times = (
                    stamp(start),
                    stamp(end),
                    in_schedule,
                    kind,
                    status,
                    end - start > short_span,
                )
                for employee in team:
                    e_rows.append((pk, employee, customer_id, *times))
                for person in chosen:
                    c_rows.append((pk, person))
                previous = pk
                pk += 1
                day += choice(FOLLOW_UP_DAYS)
                while day <= last_day and day_off[day]:
                    day += 1
                if day > last_day:
                    break  # the follow-up would fall after the range: the chain ends here
                if link == 0 and kind == "task" and rand() < 0.5:
                    kind = "meeting"  # a task often leads to a meeting
                    subject = choice(subjects[category, kind])
                    place = choice(places_home)
            if len(rows) >= BATCH or pk > last_id:
                for (table, columns), batch in zip(tables, (rows, e_rows, c_rows), strict=True):
                    self.writer.write(table, columns, batch)
                bar.update(len(rows))
                self.counts["activities"] = self.counts.get("activities", 0) + len(rows)
                self.counts["activity_employees"] = self.counts.get("activity_employees", 0) + len(
                    e_rows
                )
                self.counts["activity_contacts"] = self.counts.get("activity_contacts", 0) + len(
                    c_rows
                )
                rows, e_rows, c_rows = [], [], []

    # Rates ----------------------------------------------------------------------------

    def rates(self) -> None:
        """A rate for every working day of the range (and the days before the first
        activity's cost) for every foreign currency: a random walk around NBP's values.
        Days that already have a rate keep it."""
        rng = self.rng
        r = self.range
        codes = [
            c
            for c in Currency.objects.exclude(is_base=True)
            .order_by("code")
            .values_list("code", flat=True)
            if c in DEMO_RATES_PLN
        ]
        if self.base != "PLN":
            return  # the demo values are PLN per unit; another base would need its own
        rows = []
        stamp = self.now
        ops = connection.ops
        for code in codes:
            value = float(DEMO_RATES_PLN[code])
            for i in range(-10, r.days + 1):
                day = r.first + timedelta(days=i)
                if is_day_off(day):
                    continue
                value *= 1 + rng.gauss(0, 0.004)
                rows.append(
                    (
                        code,
                        ops.adapt_datefield_value(day),
                        ops.adapt_decimalfield_value(Decimal(f"{value:.6f}"), 20, 10),
                        "generate_data",
                        ops.adapt_datetimefield_value(stamp),
                    )
                )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ExchangeRate._meta.db_table} "
                "(currency_id, date, rate, source, updated_at) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (currency_id, date) DO NOTHING",
                rows,
            )
        self.counts["exchange_rates"] = len(rows)


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _extra_columns() -> dict[str, tuple[tuple[str, ...], tuple]]:
    """Per table, the columns a model gained since this command was written, filled with
    their defaults (e.g. a `version` starting at 1); fails loudly on a column it cannot
    fill or one that is gone."""
    extra = {}
    for model, columns in (
        (Activity, ACTIVITY_COLUMNS),
        (Customer, CUSTOMER_COLUMNS),
        (ContactPerson, CONTACT_COLUMNS),
        (Employee, EMPLOYEE_COLUMNS),
    ):
        fields = {f.column: f for f in model._meta.concrete_fields}
        gone = set(columns) - set(fields)
        new = [fields[c] for c in fields if c not in columns]
        unfillable = [f.column for f in new if not f.has_default() and not f.null]
        if gone or unfillable:
            raise CommandError(
                f"generate_data does not know the columns of {model.__name__}: "
                f"{sorted(gone | set(unfillable))}; update ACTIVITY_COLUMNS and friends."
            )
        if new:
            values = tuple(f.get_default() if f.has_default() else None for f in new)
            extra[model._meta.db_table] = (tuple(f.column for f in new), values)
    return extra


def generate(
    *,
    activities: int,
    customers: int,
    contacts: int,
    employees: int,
    seed: int,
    today: date,
    now: datetime | None = None,
    force: bool = False,
    progress: bool = True,
    bulk_from: int = 10_000,
) -> dict[str, int]:
    """Fills the database; returns how many rows of each kind were written.

    `now` decides which activities are over (ended or cancelled) and which are planned;
    from `bulk_from` activities on, the indexes of the big tables are rebuilt at the end
    rather than updated row by row."""
    extra = _extra_columns()
    if Activity.objects.exists() and not force:
        raise CommandError(
            "The database already has activities; generate_data fills an empty one "
            "(use --force to add to them)."
        )
    contacts = max(contacts, customers)  # every customer needs a contact person
    generator = Generator(
        activities=activities,
        customers=customers,
        contacts=contacts,
        employees=employees,
        seed=seed,
        today=today,
        now=now or timezone.now(),
        progress=progress,
    )
    generator.writer.extra = extra
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the index pages
        # A database that already holds many activities keeps its indexes (rebuilding
        # them would cost more than it saves).
        big_tables = [
            Activity._meta.db_table,
            Activity.employees.through._meta.db_table,
            Activity.contact_persons.through._meta.db_table,
        ]
        restore = (
            generator.writer.drop_indexes(big_tables) if activities >= 10_000 and not force else []
        )
        employee_ids = generator.employees(_next_id(Employee))
        customer_first = _next_id(Customer)
        contact_ids, weights = generator.customers(customer_first, _next_id(ContactPerson))
        generator.activities(
            first_id=_next_id(Activity),
            customer_first_id=customer_first,
            contacts=contact_ids,
            weights=weights,
            employee_ids=employee_ids,
        )
        generator.rates()
        generator.writer.restore(restore, progress=progress)
        # The ids were given explicitly: move PostgreSQL's sequences past them.
        reset = connection.ops.sequence_reset_sql(
            no_style(), [Employee, Customer, ContactPerson, Activity]
        )
        if reset:
            with connection.cursor() as cursor:
                for sql in reset:
                    cursor.execute(sql)
    # Fresh statistics, so the planner knows the tables' sizes at once; on PostgreSQL a
    # VACUUM too (outside a transaction only), which marks the pages all-visible so the
    # covering indexes answer without reading the rows (index-only scans).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
    return generator.counts


class Command(BaseCommand):
    help = "Fills the database with a large realistic data set for load tests (bulk writes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", type=int, default=1_000_000)
        parser.add_argument(
            "--customers", type=int, help="default: 2%% of --activities (20 000 for 1M)"
        )
        parser.add_argument(
            "--contacts", type=int, help="default: 6%% of --activities (60 000 for 1M)"
        )
        parser.add_argument(
            "--employees", type=int, help="default: 0.05%% of --activities (500 for 1M)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="the day the data is centred on (YYYY-MM-DD; default: today in Warsaw)",
        )
        parser.add_argument(
            "--force", action="store_true", help="add to a database that has activities"
        )

    def handle(self, *args, **options) -> None:
        activities = options["activities"]
        if activities < 1:
            raise CommandError("--activities must be at least 1.")

        def scaled(name: str, minimum: int) -> int:
            if options[name] is not None:
                if options[name] < minimum:
                    raise CommandError(f"--{name} must be at least {minimum}.")
                return options[name]
            return max(minimum, round(activities * PER_ACTIVITY[name]))

        today = options["today"] or timezone.localdate(timezone=zoneinfo.ZoneInfo(ZONE_NAME))
        started = time.perf_counter()
        counts = generate(
            activities=activities,
            customers=scaled("customers", 1),
            contacts=scaled("contacts", 1),
            employees=scaled("employees", 1),
            seed=options["seed"],
            today=today,
            force=options["force"],
            progress=options["verbosity"] > 0,
        )
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{name} {n}" for name, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Generated in {elapsed:.1f} s on {connection.vendor}: {summary}.")
        )
