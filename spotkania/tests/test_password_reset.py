"""The password reset of issue 16: throttled per address and per client, and possibly off.

Ten reset requests for one employee sent ten e-mails; `test_password_reset_is_throttled_
per_address` would have caught it.
"""

import re

from django.core import mail
from django.urls import reverse


def reset(client, email, ip="10.0.0.1"):
    client.cookies["django_language"] = "en"
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_is_throttled_per_address(client, ola, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "3/h"
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "100/h"
    statuses = [reset(client, "ola@firma.example", ip=f"10.0.1.{i}").status_code for i in range(10)]
    assert statuses == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3
    # Another address is not affected, and the case of the address does not matter.
    assert reset(client, "OLA@firma.example ", ip="10.0.2.1").status_code == 429


def test_password_reset_is_throttled_per_client_over_any_addresses(client, ola, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "100/h"
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "4/h"
    statuses = [reset(client, f"someone{i}@firma.example").status_code for i in range(6)]
    assert statuses == [302] * 4 + [429] * 2
    refused = reset(client, "ola@firma.example")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == 0
    # Another client may still ask.
    assert reset(client, "ola@firma.example", ip="10.0.0.2").status_code == 302
    assert len(mail.outbox) == 1


def test_unknown_addresses_count_as_known_ones(client, ola, settings):
    """The limit tells nothing about who exists: an unknown address is limited alike."""
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "1/h"
    assert reset(client, "nobody@firma.example").status_code == 302
    assert reset(client, "nobody@firma.example", ip="10.0.0.2").status_code == 429


def test_password_reset_can_be_turned_off(client, ola, settings):
    settings.PASSWORD_RESET_ENABLED = False
    assert client.get(reverse("password_reset")).status_code == 404
    assert reset(client, "ola@firma.example").status_code == 404
    assert client.get(reverse("password_reset_done")).status_code == 404
    assert client.get("/accounts/reset/MQ/set-password/").status_code == 404
    assert len(mail.outbox) == 0


def test_password_reset_page_is_open_to_anonymous_users_and_linked_from_the_login(client, db):
    assert client.get(reverse("password_reset")).status_code == 200
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_login_page_does_not_link_a_reset_that_is_off(client, db, settings):
    settings.PASSWORD_RESET_ENABLED = False
    assert reverse("password_reset") not in client.get(reverse("login")).content.decode()


def test_the_reset_link_sets_a_new_password_end_to_end(client, ola):
    assert reset(client, "ola@firma.example").status_code == 302
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    new = "An0ther-Secret-Phrase"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.login(username="ola", password=new)
