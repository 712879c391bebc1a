"""Shows every page in the logged-in employee's time zone (Europe/Warsaw otherwise)."""

import zoneinfo

from django.utils import timezone


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            employee = getattr(user, "employee", None)
            if employee is not None:
                zone = employee.time_zone
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
