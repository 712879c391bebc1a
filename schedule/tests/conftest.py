"""Fixtures of the schedule tests: activities at given local times, and mail backends."""

import zoneinfo
from datetime import datetime, timedelta

import pytest

from activities.tests.factories import ActivityFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def at(day: str, hour: int, minute: int = 0, zone=WARSAW) -> datetime:
    """2026-03-27 10:00 in Warsaw, as an aware datetime."""
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=zone)


@pytest.fixture
def meeting_of(db):
    """Makes a scheduled meeting of `employee` from `start` for `minutes`."""

    def make(employee, start, minutes=60, **kwargs):
        activity = ActivityFactory(
            leader=employee,
            start=start,
            end=start + timedelta(minutes=minutes),
            time_zone=str(start.tzinfo),
            **kwargs,
        )
        return activity

    return make


class BrokenBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")
