from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from staff import (  # noqa: F401 (connect and register on import)
            links,
            personal_data,
            receivers,
            timeline,
        )
