"""Every page the product serves names its favicon, so no browser asks for a missing
/favicon.ico: the staff pages, the error pages, the customer's survey, the admin, the API."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

ICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_the_icon_exists():
    assert finders.find("favicon.svg")


@pytest.mark.parametrize(
    "path",
    [
        reverse("login"),
        "/no-such-page/",
        reverse("surveys:answer", args=["not-a-valid-link"]),
    ],
)
def test_pages_without_login_name_the_icon(db, path):
    assert ICON in Client().get(path).content.decode()


@pytest.mark.parametrize("path", [reverse("home"), reverse("admin:index"), "/api/"])
def test_pages_of_the_administrator_name_the_icon(login, admin_user, path):
    response = login(admin_user).get(path, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert ICON in response.content.decode()
