"""The file's customers and purchases as the plan collects them, before anything is written."""

from dataclasses import dataclass, field

from aftersales.models import Branch
from customers.models import Customer, Purchase
from customers.services import main_category_of


@dataclass(slots=True)
class CustomerDraft:
    ref: str
    row: int
    existing: Customer | None
    branch: Branch
    salesperson: object
    # The customer cells of the first row: a later row with the same cells adds nothing.
    cells: tuple
    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    consents: dict = field(default_factory=dict)
    # Worked out by the plan: changed Customer fields (existing customers), consent to record.
    changes: dict = field(default_factory=dict)
    new_consents: list = field(default_factory=list)
    has_new_purchase: bool = False
    # Set when writing: the Customer the purchases belong to.
    instance: Customer | None = None


@dataclass(slots=True)
class PurchaseDraft:
    ref: str
    row: int
    skip: bool
    cells: tuple
    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    # A service visit's car, found after all rows are read: the pk of a purchase in the
    # database, or the draft of one in the same file.
    vehicle_pk: int | None = None
    vehicle_draft: "PurchaseDraft | None" = None
    # Set when writing.
    instance: Purchase | None = None

    @property
    def main_category(self):
        return main_category_of([product for product, _quantity, _price in self.lines])

    @property
    def is_vehicle(self):
        category = self.main_category
        return category is not None and category.yearly_distance_km is not None
