from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("Organisation")

    def ready(self):
        from aftersales import checks, input_guards, links  # noqa: F401 (register on import)

        input_guards.install()
