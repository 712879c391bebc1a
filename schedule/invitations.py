"""Invitations by e-mail: the activity as an iCalendar REQUEST or CANCEL attachment.

Sent only after the save has committed (an invitation to a meeting that was rolled back
would be a lie), through Django's e-mail backend. A failure to send never undoes the save:
it is logged and reported to the caller through an `InvitationReport`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from activities.models import Activity
from schedule.ical import calendar_of

logger = logging.getLogger(__name__)

REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass
class InvitationReport:
    """Passed to a service to ask for invitations; filled in once they were sent."""

    sent_to: list[str] = field(default_factory=list)
    error: str | None = None


def recipients_of(activity: Activity) -> list[str]:
    """Participating employees and contact persons that have an e-mail address, once."""
    addresses = [e.email for e in activity.employees.all() if e.email]
    addresses += [p.email for p in activity.contact_persons.all() if p.email]
    return list(dict.fromkeys(addresses))


def invitations_send(*, activity_id: int, method: str) -> list[str]:
    """Sends the invitation (or cancellation) of one activity to each participant."""
    from schedule.selectors import feed_activities

    activity = feed_activities().get(pk=activity_id)
    # Contact persons receive it too: no internal notes.
    calendar = calendar_of([activity], method=method, internal=False)
    payload = calendar.to_ical()
    recipients = recipients_of(activity)
    if not recipients:
        return []
    subject = (
        _("Cancelled: %(subject)s") if method == CANCEL else _("Invitation: %(subject)s")
    ) % {"subject": activity.subject}
    body = _("%(subject)s, %(customer)s. The details are in the attached calendar file.") % {
        "subject": activity.subject,
        "customer": activity.customer.name,
    }
    reply_to = [activity.leader.email] if activity.leader.email else None
    messages = []
    for address in recipients:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            reply_to=reply_to,
        )
        message.attach(
            "invite.ics" if method == REQUEST else "cancel.ics",
            payload,
            f"text/calendar; charset=utf-8; method={method}",
        )
        messages.append(message)
    get_connection(fail_silently=False).send_messages(messages)
    return recipients


def invitations_send_on_commit(*, activity_id: int, method: str, report: InvitationReport) -> None:
    """Registers the sending to run when the current transaction commits."""
    language = translation.get_language()

    def send() -> None:
        try:
            with translation.override(language):
                report.sent_to = invitations_send(activity_id=activity_id, method=method)
        except Exception as error:  # any backend failure: the save stands
            logger.exception("Invitations for activity %s were not sent", activity_id)
            report.error = str(error) or error.__class__.__name__

    transaction.on_commit(send)
