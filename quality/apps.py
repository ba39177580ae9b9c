from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self):
        from followups import contact_policy
        from quality import (  # noqa: F401 (connect and register on import)
            blockers,
            links,
            panels,
            personal_data,
            receivers,
            texts,
            timeline,
        )

        contact_policy.register_blocker(blockers.open_complaint, bulk=blockers.open_complaint_among)
        contact_policy.register_blocker(
            blockers.high_dissonance, bulk=blockers.high_dissonance_among
        )
