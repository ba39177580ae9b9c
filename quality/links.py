"""The quality app's links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register

register(
    Link("main", 50, _("Complaints"), "quality:complaint-list", perm="quality.view_complaint"),
    Link(
        "main", 60, _("Dissonance"), "quality:dashboard", perm="quality.view_dissonance_dashboard"
    ),
    Link(
        "customer:actions",
        10,
        _("Record complaint"),
        "quality:complaint-create",
        perm="quality.add_complaint",
    ),
)
