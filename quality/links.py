"""The quality app's links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register

register(
    Link("main", 50, _("Complaints"), "quality:complaint-list", perm="quality.view_complaint"),
    Link(
        "main", 60, _("Dissonance"), "quality:dashboard", perm="quality.view_dissonance_dashboard"
    ),
    # Quality audits: the dashboard leads to the plan, findings, actions, clusters and campaigns.
    Link("main", 65, _("Quality"), "quality:qm-dashboard", perm="quality.view_quality_dashboard"),
    Link(
        "menu:staff",
        50,
        _("My corrective actions"),
        "quality:action-list",
        perm="quality.view_correctiveaction",
    ),
    Link(
        "menu:setup",
        45,
        _("Audit templates"),
        "quality:audit-template-list",
        perm="quality.change_audittemplate",
    ),
    Link("home:quality", 20, _("Audit plan"), "quality:audit-plan"),
    Link("home:quality", 30, _("Quality dashboard"), "quality:qm-dashboard"),
    Link("home:manager", 30, _("Quality dashboard"), "quality:qm-dashboard"),
    Link(
        "customer:actions",
        10,
        _("Record complaint"),
        "quality:complaint-create",
        perm="quality.add_complaint",
    ),
)
