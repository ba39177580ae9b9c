"""The follow-ups app's links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register

register(
    Link("main", 30, _("Follow-ups"), "followups:inbox", perm="followups.view_followup"),
    Link("main", 40, _("Team follow-ups"), "followups:team", perm="followups.view_team_followups"),
    Link("main", 45, _("Offers"), "followups:offer-list", perm="followups.view_offer"),
    Link(
        "main",
        46,
        _("Offer figures"),
        "followups:offer-figures",
        perm="followups.view_offer_figures",
    ),
    Link(
        "menu:setup",
        35,
        _("Offer rules"),
        "followups:offer-rule-list",
        perm="followups.change_offerrule",
    ),
    Link(
        "menu:setup",
        30,
        _("Playbooks"),
        "followups:playbook-list",
        perm="followups.change_playbook",
    ),
)
