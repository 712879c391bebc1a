"""What the browser tests share: the users' password and logging in through the page."""

from playwright.sync_api import expect

PASSWORD = "secret-pass-123"


def log_in(page, username: str = "ewa") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("nav.navbar")).to_be_visible()
