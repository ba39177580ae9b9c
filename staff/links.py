"""The staff app's links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register
from aftersales.roles import Role

register(
    Link(
        "main",
        10,
        _("My assignments"),
        "staff:my-assignments",
        perm="staff.view_mysteryshopassignment",
        roles=(Role.MYSTERY_SHOPPER,),
    ),
    # The Staff menu: one's own first, then the branches' figures, then mystery shopping and
    # hiring.
    Link("menu:staff", 10, _("My scorecard"), "staff:my-scorecard"),
    Link(
        "menu:staff", 20, _("Appointments"), "staff:appointment-list", perm="staff.view_appointment"
    ),
    Link("menu:staff", 30, _("My training"), "staff:my-training", perm="staff.view_trainingrecord"),
    Link("menu:staff", 40, _("Coaching"), "staff:coaching-list", perm="staff.view_coachingaction"),
    Link(
        "menu:staff",
        10,
        _("Scorecards"),
        "staff:scorecards",
        perm="staff.view_branch_scorecards",
        group=2,
    ),
    Link(
        "menu:staff",
        20,
        _("Training compliance"),
        "staff:training-compliance",
        perm="staff.view_branch_scorecards",
        group=2,
    ),
    Link(
        "menu:staff",
        10,
        _("Mystery-shop results"),
        "staff:result-list",
        perm="staff.view_mysteryshopresult",
        group=3,
    ),
    Link(
        "menu:staff",
        20,
        _("Mystery-shop assignments"),
        "staff:assignment-list",
        perm="staff.view_mysteryshopassignment",
        group=3,
    ),
    Link(
        "menu:staff",
        30,
        _("Scorecard templates"),
        "staff:template-list",
        perm="staff.change_scorecardtemplate",
        group=3,
    ),
    Link(
        "menu:staff",
        10,
        _("Candidates"),
        "staff:candidate-list",
        perm="staff.view_candidate",
        group=4,
    ),
    Link("menu:setup", 20, _("Courses"), "staff:course-list", perm="staff.view_course"),
    # Buttons on the role cards of the home page.
    Link("home:manager", 10, _("Scorecards"), "staff:scorecards"),
    Link("home:sales", 10, _("My appointments"), "staff:appointment-list"),
    Link("home:quality", 10, _("Mystery-shop results"), "staff:result-list"),
    Link("home:mystery_shopper", 10, _("My assignments"), "staff:my-assignments", primary=True),
)
