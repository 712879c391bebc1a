# English for a Polish company: unambiguous day-month order (26 Nov 2026, 14:30), a
# 24-hour clock and weeks from Monday, instead of Django's US defaults.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
