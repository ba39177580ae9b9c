"""Journey: people choose English or German, or get their browser's language without choosing.

The German labels are the msgstr of locale/de/LC_MESSAGES/django.po (compiled by `make`); the
login form's "Benutzername"/"Passwort" come from Django's own German catalogue.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.aftersales.factories import PASSWORD
from tests.e2e.helpers import E2E, log_in, main_navigation, open_menu, open_user_menu

pytestmark = E2E

GERMAN_NAVIGATION = "Hauptnavigation"


def switch_language(page: Page, *, select_label, language):
    """Pick a language in the navigation bar's select; the page reloads in it."""
    page.get_by_role("combobox", name=select_label, exact=True).select_option(label=language)


def expect_german_navigation(page: Page, user):
    expect(page.locator("html")).to_have_attribute("lang", "de")
    navigation = main_navigation(page, GERMAN_NAVIGATION)
    expect(navigation.get_by_role("link", name="Startseite", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Käufe", exact=True)).to_be_visible()
    expect(navigation.get_by_role("button", name="Mitarbeiter", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Benachrichtigungen", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Home", exact=True)).to_have_count(0)
    expect(navigation.get_by_role("combobox", name="Anzeigesprache", exact=True)).to_have_value(
        "de"
    )
    open_user_menu(page, user, GERMAN_NAVIGATION)
    expect(navigation.get_by_role("link", name="Passwort ändern", exact=True)).to_be_visible()
    expect(navigation.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()


def test_switching_to_german_translates_the_navigation_and_persists(page: Page, owner):
    log_in(page, owner)

    switch_language(page, select_label="Display language", language="Deutsch")

    expect(page).to_have_url("/")  # set_language returns to the page it was chosen on
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Willkommen, {owner.first_name}")
    expect_german_navigation(page, owner)

    # The choice is remembered on the next page.
    open_menu(page, "Einrichtung", GERMAN_NAVIGATION)
    main_navigation(page, GERMAN_NAVIGATION).get_by_role("link", name="Filialen").click()
    expect(page).to_have_url("/branches/")
    expect(page.get_by_role("heading", name="Filialen", level=1)).to_be_visible()
    expect_german_navigation(page, owner)


@pytest.mark.browser_context_args(locale="de-DE")
def test_browser_asking_for_german_gets_the_login_page_in_german(page: Page, owner):
    page.goto("/login/")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    expect(page.get_by_role("combobox", name="Anzeigesprache", exact=True)).to_have_value("de")
    expect(page.get_by_role("heading", name="Log in")).to_have_count(0)

    page.get_by_label("Benutzername").fill(owner.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()

    expect(page).to_have_url("/")
    expect_german_navigation(page, owner)


def test_switching_back_to_english(page: Page, owner):
    log_in(page, owner)
    switch_language(page, select_label="Display language", language="Deutsch")
    expect(main_navigation(page, GERMAN_NAVIGATION)).to_be_visible()

    switch_language(page, select_label="Anzeigesprache", language="English")

    expect(page).to_have_url("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    navigation = main_navigation(page)
    expect(navigation.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Purchases", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Startseite", exact=True)).to_have_count(0)
    expect(navigation.get_by_role("combobox", name="Display language", exact=True)).to_have_value(
        "en"
    )
    open_user_menu(page, owner)
    expect(navigation.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    # ... and English stays on the next page.
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(main_navigation(page).get_by_role("link", name="Home", exact=True)).to_be_visible()
