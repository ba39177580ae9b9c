from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from customers import links  # noqa: F401 (registers on import)
        from customers.personal_data import tables  # noqa: F401 (registers on import)
