"""Fixtures of the project-wide tests."""

from datetime import timedelta

import pytest


@pytest.fixture
def throttled(settings):
    """Login throttling on, with a limit low enough for a test: three failures lock."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings
