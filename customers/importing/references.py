"""Pass 1: what the rows refer to, read in a few queries before any row is checked.

Branches, products, salespeople, and the purchases and customers the file's references name
already, each in one query for all distinct values of the file, with ``= ANY(array)``
(:mod:`customers.importing.lookups`) rather than IN lists of 100,000 parameters. The plan then
looks them up here, and asks here whether the importer works in a branch.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from customers.importing.lookups import equals_any
from customers.importing.parsing import Invalid
from customers.models import Customer, Product, Purchase

# The columns whose values name rows in the database.
REFERENCE_COLUMNS = (
    "branch_code",
    "product_sku",
    "salesperson",
    "purchase_ref",
    "customer_ref",
    "vehicle",
)


class References:
    """Reads the sheet's references; with `lock`, the known customers stay locked (``SELECT
    ... FOR UPDATE``) until the transaction ends. `by` is the importer, None for the system."""

    def __init__(self, sheet, by, *, lock=False):
        self.visible = None if by is None or sees_all_branches(by) else visible_branch_ids(by)
        wanted = defaultdict(set)
        positions = [(name, index) for name, index in sheet.positions if name in REFERENCE_COLUMNS]
        for _number, record in sheet.records():
            for name, index in positions:
                if index < len(record):
                    wanted[name].add(record[index].strip())
        self.branches = {
            branch.code: branch for branch in Branch.objects.filter(code__in=wanted["branch_code"])
        }
        self.products = {
            product.sku: product
            for product in Product.objects.filter(sku__in=wanted["product_sku"]).select_related(
                "category"
            )
        }
        self.users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=wanted["salesperson"], is_active=True
            )
        }
        # exclude(external_ref="") repeats the partial unique indexes' condition, so that they
        # are used.
        purchases = Purchase.objects.exclude(external_ref="").filter(
            equals_any("external_ref", wanted["purchase_ref"])
        )
        self.existing_purchases = set(purchases.values_list("external_ref", flat=True))
        customers = Customer.objects.exclude(external_ref="").filter(
            equals_any("external_ref", wanted["customer_ref"])
        )
        if lock:
            customers = customers.select_for_update()
        self.existing_customers = {customer.external_ref: customer for customer in customers}
        # The cars service visits name, by identifier (any case), of any customer: the plan
        # keeps those of the visit's customer. Over the identifier index (purchase_identifier_ci).
        self.vehicles = defaultdict(list)
        if wanted["vehicle"] - {""}:
            vehicles = (
                Purchase.objects.annotate(identifier_ci=Lower("identifier"))
                .filter(equals_any("identifier_ci", {value.lower() for value in wanted["vehicle"]}))
                .filter(vehicle__isnull=True, main_category__yearly_distance_km__isnull=False)
                .exclude(status=Purchase.Status.CANCELLED)
                .values_list("customer_id", "identifier_ci", "pk", "purchase_date")
            )
            for customer_id, identifier, pk, purchase_date in vehicles:
                self.vehicles[customer_id, identifier].append((purchase_date, pk))

    def sees(self, branch_id):
        """Whether the importer works in the branch."""
        return self.visible is None or branch_id in self.visible

    # Parsers for the plan: they raise Invalid like those of customers.importing.parsing.

    def find_branch(self, code):
        branch = self.branches.get(code)
        if branch is None:
            raise Invalid(_("No branch has the code “%(code)s”.") % {"code": code})
        if not branch.is_active:
            raise Invalid(_("Branch %(branch)s is closed.") % {"branch": branch})
        if not self.sees(branch.pk):
            raise Invalid(_("You do not work in branch %(branch)s.") % {"branch": branch})
        return branch

    def find_user(self, username):
        try:
            return self.users[username]
        except KeyError:
            raise Invalid(
                _("No active user has the username “%(username)s”.") % {"username": username}
            ) from None

    def find_product(self, sku):
        try:
            return self.products[sku]
        except KeyError:
            raise Invalid(
                _("No product in the catalogue has the SKU “%(sku)s”.") % {"sku": sku}
            ) from None
