"""Small helpers shared by the API tests of every app."""

from aftersales.models import User


def fresh(user):
    """The user as a new request would load it: no roles, branches or permissions cached yet."""
    return User.objects.get(pk=user.pk)


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]
