"""Fixtures of the project-wide tests."""

from datetime import timedelta

import pytest

from employees.tests.factories import EmployeeFactory, UserFactory

PASSWORD = "Correct-Horse-7"


@pytest.fixture
def throttled(settings):
    """Login throttling on, with a limit low enough for a test: three failures lock."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


@pytest.fixture
def ola(db):
    """An employee who logs in with PASSWORD and receives mail at ola@firma.example."""
    user = UserFactory(username="ola", password=PASSWORD, email="ola@firma.example")
    EmployeeFactory(user=user, first_name="Ola", last_name="Wrona")
    return user
