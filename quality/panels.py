"""The dissonance score on the customer page (see customers.panels): one query."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from customers import panels
from quality.dashboard import LEVEL_STYLES
from quality.models import DissonanceScore, Level


@panels.register
def dissonance_panel(customer, user):
    if not user.has_perm("quality.view_dissonancescore"):
        return None
    score = DissonanceScore.objects.filter(customer=customer, purchase__isnull=True).first()
    if score is None:
        return panels.Panel(
            key="dissonance",
            title=_("Dissonance"),
            figure="0",
            figure_label=_("points"),
            badge=Level.LOW.label,
            badge_style=LEVEL_STYLES[Level.LOW],
            lines=(_("No signs of doubt so far."),),
        )
    lines = ()
    if score.level_changed_at:
        since = date_format(timezone.localdate(score.level_changed_at), "SHORT_DATE_FORMAT")
        lines = (_("At this level since %(day)s.") % {"day": since},)
    link = link_label = ""
    if user.has_perm("quality.view_dissonance_dashboard"):
        query = urlencode({"list": "customers", "level": "all", "customer": customer.pk})
        link = f"{reverse('quality:dashboard-customers')}?{query}"
        link_label = _("Why: the dissonance details")
    return panels.Panel(
        key="dissonance",
        title=_("Dissonance"),
        figure=str(score.score),
        figure_label=_("points"),
        badge=score.get_level_display(),
        badge_style=LEVEL_STYLES.get(score.level, "secondary"),
        lines=lines,
        link=link,
        link_label=link_label,
    )
