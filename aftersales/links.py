"""The core's own links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register

register(
    Link("menu:staff", 30, _("Team"), "team", perm="aftersales.view_team", group=2),
    Link("menu:setup", 10, _("Branches"), "branch-list", perm="aftersales.view_branch"),
    Link("menu:setup", 50, _("Users"), "user-list", perm="aftersales.manage_organisation"),
    Link(
        "menu:setup",
        55,
        _("Locked accounts"),
        "signin-lockouts",
        perm="aftersales.manage_organisation",
    ),
    Link(
        "menu:setup", 60, _("Administration"), "admin:index", perm="aftersales.manage_organisation"
    ),
    Link("menu:setup", 70, _("API"), "api-docs"),
)
