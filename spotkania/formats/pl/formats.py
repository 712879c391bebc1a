# Polish office convention (26.11.2026 14:30) rather than Django's d-m-Y; the rest of
# Django's Polish formats (decimal comma, non-breaking-space thousands) still apply.
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
