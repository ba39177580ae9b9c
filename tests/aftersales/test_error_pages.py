"""The error pages: in the base layout, in the visitor's language, with a way back."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.urls("tests.aftersales.error_urls")


def assert_error_page(response, status, heading):
    page = response.content.decode()
    assert response.status_code == status
    assert '<html lang="en">' in page
    assert 'aria-label="Main navigation"' in page
    assert heading in page
    assert f'<a class="btn btn-primary" href="{reverse("home")}">Back to the start page</a>' in page


@pytest.fixture
def anonymous():
    # Errors must reach the error pages, not the test.
    return Client(raise_request_exception=False)


def test_400_page(anonymous):
    assert_error_page(anonymous.get("/fail/400/"), 400, "The request could not be understood")


def test_403_page_keeps_the_navigation_of_the_signed_in(login, shopper):
    response = login(shopper).get(reverse("user-list"))
    assert_error_page(response, 403, "You may not open this page")
    assert reverse("profile") in response.content.decode()


def test_404_page(login, owner):
    assert_error_page(login(owner).get("/no-such-page/"), 404, "This page does not exist")


def test_500_page(anonymous):
    assert_error_page(anonymous.get("/fail/500/"), 500, "Something went wrong on our side")


def test_csrf_failure_page(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("profile"), {"language": "de"})
    assert_error_page(response, 403, "The form could not be sent")
    owner.refresh_from_db()
    assert owner.language == "en"


@pytest.mark.parametrize("path", ["/fail/400/", "/no-such-page/", "/fail/500/", "/users/"])
def test_error_pages_follow_the_visitors_language(anonymous, login, shopper, path):
    client = login(shopper) if path == "/users/" else anonymous
    response = client.get(path, headers={"accept-language": "de"})
    assert '<html lang="de">' in response.content.decode()
