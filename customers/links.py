"""The customers app's links in the navigation places (aftersales.navigation)."""

from django.utils.translation import gettext_lazy as _

from aftersales.navigation import Link, register

register(
    Link(
        "main", 20, _("Log a purchase"), "customers:purchase-create", perm="customers.add_purchase"
    ),
    Link("main", 70, _("Customers"), "customers:customer-list", perm="customers.view_customer"),
    Link("main", 80, _("Purchases"), "customers:purchase-list", perm="customers.view_purchase"),
    Link(
        "menu:setup", 40, _("Catalogue"), "customers:product-list", perm="customers.change_product"
    ),
    Link(
        "menu:setup",
        45,
        _("Maintenance schedules"),
        "customers:schedule-list",
        perm="customers.change_maintenanceschedule",
    ),
)
