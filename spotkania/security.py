"""Hardening read by settings.py at import (issue 6, "Hardening"); login throttling is in
spotkania/throttling.py (it needs the apps loaded).

- `production_problems`: why the settings refuse to start in production.
- `CONTENT_SECURITY_POLICY`: the policy of every page, the API's Swagger UI included
  (django-ninja serves it from its own static files; it needs nothing more).
"""

from __future__ import annotations

from csp.constants import NONCE, NONE, SELF

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"

# Every page, in every mode (a developer meets a violation before production does).
# style-src: FullCalendar 6 injects its stylesheet as a <style> element; it gives that
# element the nonce of <meta name="csp-nonce"> (the schedule page sets it), so no
# 'unsafe-inline' is needed for styles. The nonce appears in the header only on a page
# that asked for it (django-csp makes it lazily). htmx's indicator <style> is switched
# off by <meta name="htmx-config"> in base.html (its rules are in app.css) and htmx's
# eval (hx-on, js: values) is off there too, so script-src needs no 'unsafe-eval'.
CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, NONCE],
    "img-src": [SELF, "data:"],
    # FullCalendar's injected stylesheet carries its icon font (prev/next arrows) as data:.
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
    "base-uri": [SELF],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}


def production_problems(*, secret_key: str, debug: bool, production: bool) -> list[str]:
    """What makes these settings unfit for production; empty when they are fine.

    A default or short secret key would let anyone forge sessions, CSRF tokens and
    password-reset links; DEBUG shows settings and code to every visitor on an error."""
    if not production:
        return []
    problems = []
    if debug:
        problems.append("DJANGO_DEBUG must be 0 in production (DJANGO_ENV=production).")
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("DJANGO_SECRET_KEY must be set in production (a long random value).")
    elif (
        len(secret_key) < 50
        or len(set(secret_key)) < 5
        or secret_key.startswith("django-insecure-")
    ):
        problems.append(
            "DJANGO_SECRET_KEY is too weak: at least 50 characters, at least 5 different ones."
        )
    return problems
