"""The schedule (terminarz): what it stores beyond the activities themselves."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 32 random bytes: 43 URL-safe characters, far beyond guessing.
TOKEN_BYTES = 32


def new_feed_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class CalendarFeed(models.Model):
    """The secret address of an employee's iCalendar feed.

    Calendar programs (Outlook, Google Calendar, Thunderbird) cannot log in, so the token
    in the URL is the only credential: long and random, replaced on demand (the old URL
    stops working at once) and revoked by deleting the row. It is stored in clear because
    the employee must be able to copy the URL again later; it grants read access to one
    schedule only.
    """

    employee = models.OneToOneField(
        "employees.Employee",
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("employee"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.employee)
