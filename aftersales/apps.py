from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("Organisation")

    def ready(self):
        from aftersales import checks, input_guards, links  # noqa: F401 (register on import)

        # The middleware module also holds the user_logged_in receiver that stamps a new
        # session; connected at start-up, not when the first request loads the middleware, so
        # a login before any request (a test's force_login) is stamped too.
        from aftersales.signin import middleware  # noqa: F401

        input_guards.install()
