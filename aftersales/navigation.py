"""The navigation registry: where the links to each app's pages appear.

The apps form layers (docs/architecture.md): a lower app's templates never name a higher app's
URLs. The core's navigation bar, its home page and the customer page offer places; each app
registers its own links into them from its `links.py` (imported in its AppConfig.ready()),
with the rule that decides who sees each link. Templates render a place with
`{% links "place" as items %}` (aftersales_tags).

Places: "main" (the navigation bar), "menu:staff" and "menu:setup" (its two menus), "home:<role>"
(the buttons of a role's card on the home page), "customer:actions" (buttons on the customer page,
each link given `?customer=<id>`).
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    place: str
    order: int
    label: Any  # a lazy translation, rendered in the reader's language
    url_name: str
    perm: str = ""  # the permission the user needs, if any
    roles: tuple[str, ...] = ()  # the user needs one of these roles, if any
    group: int = 0  # menus draw a divider between groups
    primary: bool = False  # the main button of a home card


@dataclass(frozen=True)
class Entry:
    label: Any
    url: str
    group: int
    primary: bool
    divider_before: bool


_links = []


def register(*links):
    for link in links:
        if link not in _links:
            _links.append(link)


def may_see(user, link):
    if link.perm and not user.has_perm(link.perm):
        return False
    return not link.roles or user.is_superuser or user.has_role(*link.roles)


def links_for(place, user):
    """The links of a place the user may follow, in order, with the URLs resolved."""
    visible = sorted(
        (link for link in _links if link.place == place and may_see(user, link)),
        key=lambda link: (link.group, link.order),
    )
    return [
        Entry(
            label=link.label,
            url=reverse(link.url_name),
            group=link.group,
            primary=link.primary,
            divider_before=index > 0 and link.group != visible[index - 1].group,
        )
        for index, link in enumerate(visible)
    ]
