from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self):
        from followups import (  # noqa: F401 (connect and register on import)
            links,
            personal_data,
            receivers,
            timeline,
        )
