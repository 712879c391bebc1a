"""`manage.py seed_demo`: realistic, repeatable Polish demo data for a first look.

Employees (two of them with logins: demo/demo and admin/admin), customers with valid NIPs
and contact persons, and a few months of meetings, contacts and tasks around today. The
same --seed gives the same data: every random choice comes from one `random.Random(seed)`
and one Faker seeded with `seed_instance`, drawn in an order that does not depend on the
clock. Dates are relative to the day the command runs, so the schedule is never empty.

Activities are made through `activities.services`, as a user would make them, so every
demo activity obeys the rules (contact persons of its customer, end >= start, costs not
negative, follow-ups linked both ways). Everything is written in one transaction.
"""

from __future__ import annotations

import random
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from activities.models import Activity, ActivityKind, ActivityStatus
from activities.services import (
    ActivityInput,
    FollowUp,
    activity_cancel,
    activity_create,
    activity_end,
)
from customers.models import ContactPerson, Customer
from customers.validators import normalize_nip
from dictionaries.models import ActivityCategory, ActivityPriority, Currency
from dictionaries.money import Money
from dictionaries.services import RateRow, exchange_rates_import
from employees import roles
from employees.models import Employee, Team
from schedule.conflicts import ScheduleConflict

ZONE_NAME = "Europe/Warsaw"
WARSAW = zoneinfo.ZoneInfo(ZONE_NAME)

# Addresses on the reserved .example top-level domain (RFC 2606): demo data can never
# send an e-mail to a real company, whatever e-mail backend is configured.
OWN_DOMAIN = "spotkania.example"

EMPLOYEE_COUNT = 8
# Typical NBP table A values (PLN per unit) around which the demo rates move.
DEMO_RATES_PLN = {
    "EUR": Decimal("4.23"),
    "USD": Decimal("3.62"),
    "GBP": Decimal("4.86"),
    "CHF": Decimal("4.54"),
    "CZK": Decimal("0.172"),
    "SEK": Decimal("0.385"),
    "NOK": Decimal("0.36"),
    "DKK": Decimal("0.567"),
    "HUF": Decimal("0.0109"),
    "JPY": Decimal("0.0236"),
}
FUTURE_MONTHS = 2
DAYS_PER_MONTH = 30.44

# (city, first two digits of its postal codes)
CITIES = [
    ("Warszawa", ["00", "01", "02", "03", "04"]),
    ("Kraków", ["30", "31"]),
    ("Łódź", ["90", "91", "92", "93", "94"]),
    ("Wrocław", ["50", "51", "52", "53", "54"]),
    ("Poznań", ["60", "61"]),
    ("Gdańsk", ["80"]),
    ("Gdynia", ["81"]),
    ("Szczecin", ["70", "71"]),
    ("Bydgoszcz", ["85"]),
    ("Lublin", ["20"]),
    ("Białystok", ["15"]),
    ("Katowice", ["40"]),
    ("Rzeszów", ["35"]),
    ("Toruń", ["87"]),
    ("Kielce", ["25"]),
    ("Olsztyn", ["10"]),
    ("Opole", ["45"]),
]
# Warsaw and Krakow are where most customers are, as for most Polish sales teams.
CITY_WEIGHTS = [8, 4, 3, 4, 3, 2, 1, 2, 1, 2, 1, 3, 1, 1, 1, 1, 1]

STREET_PREFIXES = ["ul.", "al.", "pl."]
STREET_PREFIX_WEIGHTS = [85, 10, 5]

# Faker's pl_PL company names include associations and foundations; a sales team's
# customers are companies.
NOT_A_COMPANY = {"Stowarzyszenie", "Fundacja"}
# Words of a company name that are not part of the name one would put in a domain.
LEGAL_WORDS = {"S.A.", "Sp.", "z", "o.o.", "Sp.k.", "Sp.j.", "s.c.", "i", "syn", "Grupa"}
LEGAL_WORDS |= {"Spółdzielnia", "Gabinety", "FPUH", "PPUH", "P.P.O.F", "PPO"}

# (a woman's, a man's) title
POSITIONS = [
    ("Prezes zarządu", "Prezes zarządu"),
    ("Dyrektorka handlowa", "Dyrektor handlowy"),
    ("Dyrektorka operacyjna", "Dyrektor operacyjny"),
    ("Kierowniczka zakupów", "Kierownik zakupów"),
    ("Kierowniczka logistyki", "Kierownik logistyki"),
    ("Kierowniczka projektu", "Kierownik projektu"),
    ("Specjalistka ds. zaopatrzenia", "Specjalista ds. zaopatrzenia"),
    ("Specjalistka ds. marketingu", "Specjalista ds. marketingu"),
    ("Główna księgowa", "Główny księgowy"),
    ("Asystentka zarządu", "Asystent zarządu"),
]

# Subjects per category (the four categories seeded by the dictionaries' migration, found
# by their English name) and per kind; categories an administrator added get GENERIC.
SUBJECTS = {
    "Trade negotiations": {
        "meeting": [
            "Negocjacje warunków umowy ramowej",
            "Negocjacje cen na kolejny kwartał",
            "Omówienie oferty handlowej",
            "Negocjacje rabatu ilościowego",
        ],
        "contact": [
            "Rozmowa o warunkach płatności",
            "Uzgodnienie rabatu",
            "E-mail z kontrofertą",
        ],
        "task": ["Przygotować ofertę cenową", "Przygotować projekt umowy"],
    },
    "Customer acquisition": {
        "meeting": [
            "Prezentacja oferty",
            "Pierwsze spotkanie: poznanie potrzeb klienta",
            "Prezentacja nowej linii produktów",
            "Demonstracja produktu",
        ],
        "contact": [
            "Telefon z prezentacją firmy",
            "Wysłanie katalogu i cennika",
            "Umówienie pierwszego spotkania",
        ],
        "task": ["Przygotować prezentację dla klienta", "Zebrać informacje o kliencie"],
    },
    "Order fulfilment": {
        "meeting": [
            "Przegląd realizacji zamówienia",
            "Odbiór techniczny dostawy",
            "Uzgodnienie harmonogramu dostaw",
        ],
        "contact": [
            "Potwierdzenie terminu dostawy",
            "Telefon w sprawie opóźnienia dostawy",
            "E-mail z fakturą pro forma",
        ],
        "task": [
            "Sprawdzić status zamówienia",
            "Wysłać dokumenty dostawy",
            "Zarezerwować transport",
        ],
    },
    "Customer retention": {
        "meeting": [
            "Spotkanie kwartalne z klientem",
            "Omówienie reklamacji",
            "Przegląd współpracy",
            "Rozmowa o przedłużeniu umowy",
        ],
        "contact": [
            "Telefon z ankietą satysfakcji",
            "Przypomnienie o promocji dla stałych klientów",
            "Rozmowa o odnowieniu umowy",
        ],
        "task": ["Przygotować raport ze współpracy", "Wysłać podziękowanie za współpracę"],
    },
}
GENERIC = {
    "meeting": ["Spotkanie robocze", "Wizyta u klienta"],
    "contact": ["Rozmowa telefoniczna", "Odpowiedź na zapytanie e-mail"],
    "task": ["Uzupełnić dane kontrahenta", "Zaktualizować notatki z rozmów"],
}
NOTES = [
    "Klient prosi o ofertę do końca miesiąca.",
    "Ustalono kolejne kroki; notatka wysłana e-mailem.",
    "Decyzja po konsultacji z zarządem klienta.",
    "Klient zadowolony z dotychczasowej współpracy.",
    "Do wyjaśnienia z działem logistyki.",
    "Zabrać próbki produktów i aktualny cennik.",
]
OFFICE_PLACES = ["Biuro, sala konferencyjna „Wisła”", "Biuro, sala konferencyjna „Odra”"]
ONLINE_PLACES = ["Online (Microsoft Teams)", "Online (Google Meet)"]
FAIR_PLACE = "Międzynarodowe Targi Poznańskie, pawilon 5"
# Meetings paid in a foreign currency happen abroad.
PLACES_ABROAD = {
    "EUR": ["Targi Hannover Messe, Hanower, hala 6", "Targi bauma, Monachium, stoisko klienta"],
    "USD": ["Targi ProMat, Chicago, stoisko klienta"],
}

KINDS = [ActivityKind.MEETING, ActivityKind.CONTACT, ActivityKind.TASK]
KIND_WEIGHTS = [45, 35, 20]
MEETING_MINUTES = [30, 60, 60, 90, 120]
CONTACT_MINUTES = [None, None, 30]  # None: the default length of a contact (15 min)
# Activities a month per customer: some customers are quiet, some are busy.
ACTIVITY_RATES = [0.5, 1.0, 1.0, 2.0, 3.0]


def ascii_slug(text: str) -> str:
    """`slugify` drops ł (it has no decomposition), so it is spelled out first."""
    return slugify(text.translate(str.maketrans({"ł": "l", "Ł": "L"})))


# Polish public holidays on fixed dates (month, day); Easter Monday and Corpus Christi
# move with Easter.
FIXED_HOLIDAYS = {(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 24), (12, 25)}
FIXED_HOLIDAYS |= {(12, 26)}


def easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus 1991)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_day_off(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    sunday = easter(day.year)
    return day in (sunday + timedelta(days=1), sunday + timedelta(days=60))


def working_day(day: date) -> date:
    """The day itself, or the nearest working day: Saturday goes back to Friday, a
    Sunday or a public holiday forward."""
    if day.weekday() == 5 and not is_day_off(day - timedelta(days=1)):
        return day - timedelta(days=1)
    while is_day_off(day):
        day += timedelta(days=1)
    return day


@dataclass
class Counts:
    employees: int = 0
    users: list[str] = field(default_factory=list)
    kept_users: list[str] = field(default_factory=list)
    customers: int = 0
    contact_persons: int = 0
    activities: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    follow_ups: int = 0
    rates: int = 0


@dataclass
class Plan:
    """The random choices for one activity, all drawn before it is saved."""

    kind: str
    subject: str
    start: datetime
    end: datetime | None
    all_day: bool
    leader: Employee
    employees: list[Employee]
    contact_persons: list[ContactPerson]
    category: ActivityCategory | None
    priority: ActivityPriority
    place: str
    notes: str
    in_schedule: bool
    expected_cost: Money | None
    actual_cost: Money | None
    fate: float
    follow_up: FollowUp | None
    follow_up_fate: float


class Seeder:
    def __init__(self, *, seed: int, customers: int, months: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("pl_PL")
        self.fake.seed_instance(seed)
        self.customer_count = customers
        self.months = months
        self.now = timezone.now()
        self.today = self.now.astimezone(WARSAW).date()
        self.counts = Counts()
        self.priorities = list(ActivityPriority.objects.active())
        self.categories = list(ActivityCategory.objects.active())
        self.base_currency = Currency.base().code
        active = set(Currency.objects.active().values_list("code", flat=True))
        # Costs abroad are in EUR or USD when those are offered; otherwise in the base.
        self.foreign = [code for code in ("EUR", "USD") if code in active] or [self.base_currency]
        self.reopen = Permission.objects.get(
            content_type__app_label="activities", codename="reopen_activity"
        )

    # People ------------------------------------------------------------------------------

    def person_name(self) -> tuple[str, str, bool]:
        """First name, last name, and whether she is a woman (Polish titles differ)."""
        if self.rng.random() < 0.5:
            return self.fake.first_name_female(), self.fake.last_name_female(), True
        return self.fake.first_name_male(), self.fake.last_name_male(), False

    def create_employees(self) -> list[Employee]:
        employees = []
        for _ in range(EMPLOYEE_COUNT):
            first, last, _woman = self.person_name()
            employees.append(
                Employee.objects.create(
                    first_name=first,
                    last_name=last,
                    email=f"{ascii_slug(first)}.{ascii_slug(last)}@{OWN_DOMAIN}",
                    time_zone=ZONE_NAME,
                )
            )
        self.counts.employees = len(employees)
        return employees

    def create_teams(self, employees: list[Employee]) -> None:
        """Sales, managed by demo (employees[0]), with the sub-team Key accounts; the
        plain employee jan (employees[2]) works in Sales; admin (employees[1]) in none."""
        sales = Team.objects.create(name="Sprzedaż", manager=employees[0])
        key_accounts = Team.objects.create(
            name="Kluczowi klienci", manager=employees[5], parent=sales
        )
        for employee in employees[0:1] + employees[2:5]:
            employee.team = sales
            employee.save(update_fields=["team"])
        for employee in employees[5:7]:
            employee.team = key_accounts
            employee.save(update_fields=["team"])

    def create_users(self, demo: Employee, admin: Employee, plain: Employee) -> None:
        groups = {g.name: g for g in Group.objects.all()}
        demo_user = self.login_user("demo", demo)
        if demo_user is not None:
            demo_user.user_permissions.add(self.reopen)
            demo_user.groups.add(groups[roles.MANAGER])
        admin_user = self.login_user("admin", admin, administrator=True)
        if admin_user is not None:
            admin_user.groups.add(groups[roles.ADMINISTRATOR])
        plain_user = self.login_user("jan", plain)
        if plain_user is not None:
            plain_user.groups.add(groups[roles.EMPLOYEE])

    def login_user(self, username: str, employee: Employee, *, administrator: bool = False):
        """Creates the login `username` for `employee`, with the password `username`.

        A user of that name that already exists is left exactly as it is: a database with
        real users but no customers yet must not get a superuser whose password is "admin".
        """
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.counts.kept_users.append(username)
            return None
        user = User(
            username=username,
            first_name=employee.first_name,
            last_name=employee.last_name,
            email=employee.email,
            is_staff=administrator,
            is_superuser=administrator,
        )
        # The demo passwords are the usernames: deliberately too weak for the password
        # validators, which set_password() does not run. They exist only in demo data.
        user.set_password(username)
        user.save()
        employee.user = user
        employee.save(update_fields=["user"])
        self.counts.users.append(username)
        return user

    # Customers ---------------------------------------------------------------------------

    def company_name(self, taken: set[str]) -> str:
        while True:
            name = self.fake.company()
            if name.split()[0] not in NOT_A_COMPANY and name not in taken:
                taken.add(name)
                return name

    def nip(self) -> str:
        while True:
            try:
                return normalize_nip(self.fake.company_vat())
            except ValidationError:  # not every number Faker makes is valid: draw again
                continue

    def address(self) -> str:
        """A street address in one of the big Polish cities."""
        city, prefixes = self.rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        postcode = f"{self.rng.choice(prefixes)}-{self.rng.randint(1, 999):03d}"
        prefix = self.rng.choices(STREET_PREFIXES, weights=STREET_PREFIX_WEIGHTS)[0]
        street = f"{prefix} {self.fake.street_name()}"
        number = str(self.rng.randint(1, 180))
        if self.rng.random() < 0.3:
            number += f"/{self.rng.randint(1, 40)}"
        return f"{street} {number}\n{postcode} {city}"

    def create_customers(self) -> dict[Customer, list[ContactPerson]]:
        taken: set[str] = set()
        customers = {}
        for number in range(1, self.customer_count + 1):
            name = self.company_name(taken)
            words = [w for w in name.split() if w not in LEGAL_WORDS]
            domain = f"{ascii_slug(words[0]) if words else f'firma{number}'}.example"
            customer = Customer.objects.create(
                code=f"K{number:04d}",
                name=name,
                tax_id=self.nip(),
                address=self.address(),
                email=f"{self.rng.choice(['biuro', 'kontakt', 'sekretariat'])}@{domain}",
                phone=self.fake.phone_number(),
            )
            persons = []
            for _ in range(self.rng.choices([1, 2, 3, 4], weights=[30, 35, 25, 10])[0]):
                first, last, woman = self.person_name()
                persons.append(
                    ContactPerson.objects.create(
                        customer=customer,
                        first_name=first,
                        last_name=last,
                        position=self.rng.choice(POSITIONS)[0 if woman else 1],
                        email=f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}",
                        phone=self.fake.phone_number(),
                    )
                )
            customers[customer] = persons
        self.counts.customers = len(customers)
        self.counts.contact_persons = sum(len(p) for p in customers.values())
        return customers

    # Activities --------------------------------------------------------------------------

    def money(self, currency: str, low: int, high: int) -> Money:
        """An amount between low and high, in steps of 0.50."""
        return Money(Decimal(self.rng.randrange(low * 100, high * 100, 50)) / 100, currency)

    def plan(
        self,
        customer: Customer,
        persons: list[ContactPerson],
        owner: Employee,
        employees: list[Employee],
    ) -> Plan:
        rng = self.rng
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        back = round(self.months * DAYS_PER_MONTH)
        day = working_day(
            self.today + timedelta(days=rng.randint(-back, round(FUTURE_MONTHS * DAYS_PER_MONTH)))
        )

        all_day = kind == ActivityKind.TASK and rng.random() < 0.15
        if kind == ActivityKind.MEETING:
            minutes = rng.choice(MEETING_MINUTES)
        elif kind == ActivityKind.CONTACT:
            minutes = rng.choice(CONTACT_MINUTES)
        else:
            minutes = 60
        # Working hours 8-17 in Warsaw: a two-hour meeting starts by 14:45.
        latest = 16 - -(-(minutes or 15) // 60)
        start = datetime(
            day.year,
            day.month,
            day.day,
            rng.randint(8, latest),
            rng.choice([0, 15, 30, 45]),
            tzinfo=WARSAW,
        )
        end = start + timedelta(minutes=minutes) if minutes and not all_day else None

        leader = owner if rng.random() < 0.8 else rng.choice(employees)
        team = [leader]
        if kind == ActivityKind.MEETING and rng.random() < 0.3:
            others = [e for e in employees if e != leader]
            team += rng.sample(others, k=rng.choice([1, 1, 2]))
        how_many = 2 if kind == ActivityKind.MEETING and rng.random() < 0.3 else 1
        contact_persons = rng.sample(persons, k=min(how_many, len(persons)))

        category = rng.choice(self.categories) if rng.random() < 0.9 else None
        subjects = SUBJECTS.get(category.name_en, GENERIC) if category else GENERIC
        subject = rng.choice(subjects[kind])
        priority_weights = [6 if p.is_default else 2 for p in self.priorities]
        priority = rng.choices(self.priorities, weights=priority_weights)[0]

        notes = rng.choice(NOTES) if rng.random() < 0.3 else ""
        schedule_roll = rng.random()
        in_schedule = schedule_roll < {"meeting": 0.95, "contact": 0.4, "task": 0.7}[kind]

        # Meetings mostly have costs (travel, a lunch), in the base currency unless abroad;
        # the actual cost differs from the expected one, as it does.
        cost_roll, currency_roll, place_roll, place_choice = (rng.random() for _ in range(4))
        foreign = rng.choice(self.foreign)
        expected_base = self.money(self.base_currency, 50, 2500)
        expected_foreign = self.money(foreign, 100, 900)
        unplanned = self.money(self.base_currency, 30, 300)
        factor = Decimal(rng.randint(70, 130)) / 100
        expected = actual = None
        place = ""
        if kind == ActivityKind.MEETING:
            abroad = cost_roll < 0.7 and currency_roll >= 0.88 and foreign != self.base_currency
            if cost_roll < 0.7:
                expected = expected_foreign if abroad else expected_base
                amount = (expected.amount * factor).quantize(Decimal("0.01"))
                actual = Money(amount, expected.currency)
            elif cost_roll < 0.8:
                actual = unplanned  # a lunch nobody planned for
            if abroad:
                places = PLACES_ABROAD.get(foreign, [FAIR_PLACE])
                place = places[int(place_choice * len(places))]
            elif place_roll < 0.5:
                place = "Siedziba klienta, " + customer.address.replace("\n", ", ")
            elif place_roll < 0.75:
                place = OFFICE_PLACES[int(place_choice * len(OFFICE_PLACES))]
            elif place_roll < 0.95:
                place = ONLINE_PLACES[int(place_choice * len(ONLINE_PLACES))]
            else:
                place = FAIR_PLACE
            if place in ONLINE_PLACES:
                expected = actual = None  # nothing to pay for a video call

        fate = rng.random()
        follow_up_roll, follow_up_fate = rng.random(), rng.random()
        follow_up = None
        # Only an activity that is held (or still planned) gets a follow-up.
        if kind != ActivityKind.TASK and follow_up_roll < 0.2 and fate < 0.85:
            # "In 2 days" from Monday to Wednesday stays in the working week.
            next_kind = ActivityKind.MEETING if follow_up_roll < 0.07 else None
            if day.weekday() <= 2:
                follow_up = FollowUp(value=2, unit="days", kind=next_kind)
            else:
                follow_up = FollowUp(value=1, unit="weeks", kind=next_kind)
        return Plan(
            kind=kind,
            subject=subject,
            start=start,
            end=end,
            all_day=all_day,
            leader=leader,
            employees=team,
            contact_persons=contact_persons,
            category=category,
            priority=priority,
            place=place,
            notes=notes,
            in_schedule=in_schedule,
            expected_cost=expected,
            actual_cost=actual,
            fate=fate,
            follow_up=follow_up,
            follow_up_fate=follow_up_fate,
        )

    def settle(self, activity: Activity, fate: float, actual_cost: Money | None) -> None:
        """What became of an activity that is over: mostly held, a few cancelled, and
        a few left planned (someone forgot to mark them ended)."""
        user = activity.leader.user
        if activity.end > self.now:
            self.counts.statuses[ActivityStatus.PLANNED] += 1
        elif fate < 0.85:
            activity_end(activity=activity, user=user, actual_cost=actual_cost)
            self.counts.statuses[ActivityStatus.ENDED] += 1
        elif fate < 0.95:
            activity_cancel(activity=activity, user=user)
            self.counts.statuses[ActivityStatus.CANCELLED] += 1
        else:
            self.counts.statuses[ActivityStatus.PLANNED] += 1

    def create_activity(self, plan: Plan) -> None:
        data = ActivityInput(
            kind=plan.kind,
            subject=plan.subject,
            customer=plan.contact_persons[0].customer,
            contact_persons=plan.contact_persons,
            employees=plan.employees,
            leader=plan.leader,
            start=plan.start,
            end=plan.end,
            time_zone=ZONE_NAME,
            all_day=plan.all_day,
            place=plan.place,
            notes=plan.notes,
            priority=plan.priority,
            category=plan.category,
            in_schedule=plan.in_schedule,
            expected_cost=plan.expected_cost,
        )
        try:
            activity = activity_create(
                data=data, created_by=plan.leader.user, follow_up=plan.follow_up
            )
        except ScheduleConflict:
            # Only under SPOTKANIA_SCHEDULE_CONFLICTS=refuse: the demo's random times may
            # double-book someone; that activity is left out (its savepoint rolled back).
            return
        self.counts.activities[activity.kind] += 1
        self.settle(activity, plan.fate, plan.actual_cost)
        if plan.follow_up is not None:
            successor = Activity.objects.get(previous=activity)
            self.counts.activities[successor.kind] += 1
            self.counts.follow_ups += 1
            self.settle(successor, plan.follow_up_fate, plan.actual_cost)

    def create_activities(
        self, customers: dict[Customer, list[ContactPerson]], employees: list[Employee]
    ) -> None:
        # The demo user's employee looks after more customers, so its schedule is busy.
        weights = [4 if i == 0 else 2 for i in range(len(employees))]
        months = self.months + FUTURE_MONTHS
        for customer, persons in customers.items():
            owner = self.rng.choices(employees, weights=weights)[0]
            rate = self.rng.choice(ACTIVITY_RATES)
            count = max(1, round(rate * months * self.rng.uniform(0.7, 1.3)))
            plans = [self.plan(customer, persons, owner, employees) for _ in range(count)]
            for plan in sorted(plans, key=lambda p: p.start):
                self.create_activity(plan)

    def create_rates(self) -> None:
        """Daily rates for every working day of the demo period, so the cost report has
        numbers: a deterministic walk around typical NBP values (PLN per unit), drawn
        from their own generator so the rest of the data does not depend on them."""
        rng = random.Random(self.seed)
        codes = set(Currency.objects.values_list("code", flat=True))
        pln = {**DEMO_RATES_PLN, "PLN": Decimal(1)}
        if self.base_currency not in pln:
            return
        day = self.today - timedelta(days=round(self.months * DAYS_PER_MONTH) + 14)
        level = dict(pln)
        rows = []
        while day <= self.today:
            if not is_day_off(day):
                for code in sorted(DEMO_RATES_PLN):
                    drift = Decimal(rng.randint(-40, 40)) / Decimal(10000)
                    level[code] = level[code] * (1 + drift)
                    if code in codes and code != self.base_currency:
                        rate = (level[code] / level[self.base_currency]).quantize(
                            Decimal("0.000001")
                        )
                        rows.append(RateRow(code, day, rate, "demo"))
            day += timedelta(days=1)
        self.counts.rates = exchange_rates_import(rows=rows).created

    def run(self) -> Counts:
        self.create_rates()
        employees = self.create_employees()
        self.create_teams(employees)
        self.create_users(demo=employees[0], admin=employees[1], plain=employees[2])
        customers = self.create_customers()
        self.create_activities(customers, employees)
        return self.counts


class Command(BaseCommand):
    help = "Fills an empty database with realistic Polish demo data (deterministic per --seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has customers.",
        )
        parser.add_argument(
            "--customers", type=int, default=40, help="Number of customers (default 40)."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=4,
            help=f"Months of past activities (default 4); planned ones reach {FUTURE_MONTHS} "
            "months ahead.",
        )

    def handle(self, *args, seed: int, if_empty: bool, customers: int, months: int, **options):
        if customers < 1 or months < 0:
            raise CommandError("--customers must be at least 1 and --months at least 0.")
        if Customer.objects.exists():
            if if_empty:
                self.stdout.write("Demo data not loaded: the database already has customers.")
                return
            raise CommandError(
                "The database already has customers; seed_demo fills an empty one "
                "(use --if-empty to skip quietly)."
            )
        began = time.monotonic()
        with transaction.atomic():
            counts = Seeder(seed=seed, customers=customers, months=months).run()
        kinds = counts.activities
        statuses = counts.statuses
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded (seed {seed}) in {time.monotonic() - began:.1f} s: "
                f"{counts.employees} employees, login users {', '.join(counts.users) or 'none'}, "
                f"{counts.customers} customers, {counts.contact_persons} contact persons, "
                f"{kinds.total()} activities ({kinds['meeting']} meetings, "
                f"{kinds['contact']} contacts, {kinds['task']} tasks; "
                f"{statuses['ended']} ended, {statuses['cancelled']} cancelled, "
                f"{statuses['planned']} planned; {counts.follow_ups} follow-ups), "
                f"{counts.rates} exchange rates."
            )
        )
        if counts.kept_users:
            self.stdout.write(
                f"Existing users left unchanged (their passwords too): "
                f"{', '.join(counts.kept_users)}."
            )
