"""The roles people have in the product. Each role is a Django group with permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    QUALITY = "quality", _("Quality manager")
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")


# Roles whose members work inside branches and so must belong to at least one.
BRANCH_ROLES = frozenset({Role.MANAGER, Role.SALES, Role.SERVICE, Role.QUALITY})

# Internal staff: everyone but the external mystery shoppers.
STAFF_ROLES = frozenset({Role.ADMIN, *BRANCH_ROLES})

# Roles that meet customers: their people appear on branch scorecards, can be observed by mystery
# shoppers and are the roles candidates apply for.
CUSTOMER_FACING_ROLES = (Role.SALES, Role.SERVICE, Role.MANAGER)

# The permissions of each role are given to its group by data migrations (aftersales 0002 and
# each later app's own), so a deployment and the tests get the same groups.
