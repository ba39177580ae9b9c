import difflib
import re
from dataclasses import dataclass
from typing import ClassVar

from django.contrib.postgres.search import SearchQuery
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from aftersales.search import fold
from aftersales.translated import in_any_language, localized
from customers.models import (
    Channel,
    ConsentRecord,
    Customer,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)
from customers.personal_data import records as personal_data_records

# Each order ends on the primary key in its own direction, so that one index read forwards or
# backwards serves it (customers.models: the *_order indexes).
CUSTOMER_ORDERINGS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "city": ("city", "last_name", "pk"),
    "-city": ("-city", "-last_name", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "last_purchase": ("last_purchase_date", "pk"),
    "-last_purchase": ("-last_purchase_date", "-pk"),
}
PURCHASE_ORDERINGS = {
    "date": ("purchase_date", "pk"),
    "-date": ("-purchase_date", "-pk"),
    "handover": ("handover_date", "pk"),
    "-handover": ("-handover_date", "-pk"),
    "total": ("total", "pk"),
    "-total": ("-total", "-pk"),
    "customer": ("customer__last_name", "customer__first_name", "customer_id", "pk"),
    "-customer": ("-customer__last_name", "-customer__first_name", "-customer_id", "-pk"),
}
SIMILAR_NAME_RATIO = 0.8
PHONE_LIKE = re.compile(r"[\d\s/+()-]+")


def search_query(term):
    """A prefix full-text query over Customer.search_text, or None for an empty term.

    Phone numbers are matched as one run of digits, whatever the spacing typed."""
    if PHONE_LIKE.fullmatch(term.strip()) and sum(c.isdigit() for c in term) >= 3:
        tokens = [re.sub(r"\D", "", term)]
    else:
        tokens = re.findall(r"[a-z0-9]+", fold(term))
    if not tokens:
        return None
    return SearchQuery(
        " & ".join(f"{token}:*" for token in tokens), search_type="raw", config="simple"
    )


def search_customers(queryset, term):
    query = search_query(term)
    if query is None:
        return queryset
    return queryset.filter(search_vector=query)


def customer_list(
    user,
    *,
    search="",
    branch=None,
    salesperson=None,
    involvement="",
    purchased_from=None,
    purchased_to=None,
    consent="",
    ordering="name",
):
    customers = Customer.objects.visible_to(user).active().select_related("branch", "salesperson")
    customers = search_customers(customers, search) if search else customers
    if branch:
        customers = customers.filter(branch=branch)
    if salesperson:
        customers = customers.filter(salesperson=salesperson)
    purchase_filter = Q()
    if involvement:
        purchase_filter &= Q(main_category__involvement=involvement)
    if purchased_from:
        purchase_filter &= Q(purchase_date__gte=purchased_from)
    if purchased_to:
        purchase_filter &= Q(purchase_date__lte=purchased_to)
    if purchase_filter:
        customers = customers.filter(
            Exists(
                Purchase.objects.filter(purchase_filter, customer=OuterRef("pk")).exclude(
                    status=Purchase.Status.CANCELLED
                )
            )
        )
    if consent in Channel.values:
        customers = customers.filter(**{f"consent_{consent}": True})
    elif consent == "none":
        customers = customers.filter(**{f"consent_{channel}": False for channel in Channel.values})
    return customers.order_by(*CUSTOMER_ORDERINGS.get(ordering, CUSTOMER_ORDERINGS["name"]))


def customer_picker(user, term, limit=8):
    """The few best matches for the search-as-you-type on the purchase page."""
    if len(term.strip()) < 2:
        return Customer.objects.none()
    customers = Customer.objects.visible_to(user).active().select_related("branch")
    return search_customers(customers, term).order_by("last_name", "first_name", "pk")[:limit]


def customer_detail(user, pk):
    return (
        Customer.objects.visible_to(user)
        .select_related("branch", "salesperson", "created_by", "erased_by")
        .prefetch_related(
            Prefetch(
                "purchases",
                Purchase.objects.select_related("branch", "salesperson", "main_category")
                .prefetch_related(Prefetch("lines", PurchaseLine.objects.select_related("product")))
                .order_by("-purchase_date", "-pk"),
            ),
            Prefetch(
                "consents",
                ConsentRecord.objects.select_related("recorded_by").order_by("-recorded_at", "-pk"),
            ),
        )
        .get(pk=pk)
    )


def current_consent(customer):
    """{channel: the latest ConsentRecord or None} in one query (DISTINCT ON)."""
    latest = (
        ConsentRecord.objects.filter(customer=customer)
        .order_by("channel", "-recorded_at", "-pk")
        .distinct("channel")
    )
    current = dict.fromkeys(Channel.values)
    current.update({record.channel: record for record in latest})
    return current


@dataclass(frozen=True)
class ConsentEntry:
    """A channel's consent state and the record that left it so (none while not asked)."""

    state: ConsentRecord.State
    record: ConsentRecord | None = None

    STATUS_BADGES: ClassVar[dict] = ConsentRecord.STATE_BADGES


def consent_history(records):
    """The consent records, newest first, each as the ConsentEntry of the state it left its
    channel in: a "no" is declined until the channel was once granted, withdrawn after that.
    Takes the records in any order (customer_detail's prefetch serves it without a query)."""
    granted_before = set()
    entries = []
    for record in sorted(records, key=lambda record: (record.recorded_at, record.pk)):
        if record.granted:
            granted_before.add(record.channel)
            state = ConsentRecord.State.GRANTED
        elif record.channel in granted_before:
            state = ConsentRecord.State.WITHDRAWN
        else:
            state = ConsentRecord.State.DECLINED
        entries.append(ConsentEntry(state, record))
    return entries[::-1]


def consent_states(history):
    """{channel: its current ConsentEntry} from consent_history's entries."""
    current = {channel: ConsentEntry(ConsentRecord.State.NOT_ASKED) for channel in Channel.values}
    for entry in reversed(history):
        current[entry.record.channel] = entry
    return current


def duplicate_candidates(customer, *, user, limit=5):
    """Existing customers the user can see that are probably the same person or company:
    same e-mail, same phone number, or a very similar name in the same postcode."""
    digits = {re.sub(r"\D", "", number) for number in (customer.phone, customer.mobile)} - {""}
    matches = Q()
    if customer.email:
        matches |= Q(email__iexact=customer.email)
    for number in digits:
        matches |= Q(pk__in=search_customers(Customer.objects.all(), number).values("pk"))
    name = fold(customer.company_name or customer.last_name)
    if customer.postcode and name:
        matches |= Q(postcode=customer.postcode)
    if not matches:
        return []
    candidates = (
        Customer.objects.visible_to(user)
        .active()
        .filter(matches)
        .exclude(pk=customer.pk)
        .select_related("branch")[:50]
    )
    full_name = fold(f"{customer.company_name} {customer.first_name} {customer.last_name}")
    likely = []
    for candidate in candidates:
        same_email = customer.email and candidate.email.lower() == customer.email.lower()
        candidate_digits = {re.sub(r"\D", "", n) for n in (candidate.phone, candidate.mobile)}
        same_phone = bool(digits & candidate_digits)
        candidate_name = fold(
            f"{candidate.company_name} {candidate.first_name} {candidate.last_name}"
        )
        similar_name = (
            candidate.postcode == customer.postcode
            and difflib.SequenceMatcher(None, full_name, candidate_name).ratio()
            >= SIMILAR_NAME_RATIO
        )
        if same_email or same_phone or similar_name:
            likely.append(candidate)
    return likely[:limit]


def purchase_list(
    user,
    *,
    search="",
    branch=None,
    salesperson=None,
    status="",
    category=None,
    date_from=None,
    date_to=None,
    ordering="-date",
):
    purchases = Purchase.objects.visible_to(user).select_related(
        "customer", "branch", "salesperson", "main_category"
    )
    if search:
        term = search.strip()
        purchases = purchases.filter(
            Q(identifier__iexact=term)
            | Q(customer__in=search_customers(Customer.objects.all(), term).values("pk"))
        )
    if branch:
        purchases = purchases.filter(branch=branch)
    if salesperson:
        purchases = purchases.filter(salesperson=salesperson)
    if status in Purchase.Status.values:
        purchases = purchases.filter(status=status)
    if category:
        purchases = purchases.filter(main_category=category)
    if date_from:
        purchases = purchases.filter(purchase_date__gte=date_from)
    if date_to:
        purchases = purchases.filter(purchase_date__lte=date_to)
    return purchases.order_by(*PURCHASE_ORDERINGS.get(ordering, PURCHASE_ORDERINGS["-date"]))


def purchase_detail(user, pk, *related):
    """One purchase the user may see; `related` names further relations to prefetch (higher apps'
    reverse relations by name, such as "followups__assignee", without importing them)."""
    return (
        Purchase.objects.visible_to(user)
        .select_related("customer", "branch", "salesperson", "main_category", "created_by")
        .prefetch_related(
            Prefetch("lines", PurchaseLine.objects.select_related("product")), *related
        )
        .get(pk=pk)
    )


def product_catalogue(*, search="", category=None, active=None):
    products = Product.objects.select_related("category")
    if search:
        products = products.filter(in_any_language("name", search) | Q(sku__icontains=search))
    if category:
        products = products.filter(category=category)
    if active is not None:
        products = products.filter(is_active=active)
    return products.order_by(localized("category__name"), localized("name"))


def categories_with_counts():
    return ProductCategory.objects.annotate(product_count=Count("products")).order_by(
        localized("name")
    )


def customer_data_export(customer):
    """Everything held about one customer, for an access request (GDPR art. 15): the profile,
    and the customer's rows in every table that holds some (customers.personal_data), by table."""
    customer = Customer.objects.select_related("branch", "salesperson").get(pk=customer.pk)
    profile_fields = [
        "kind", "company_name", "salutation", "first_name", "last_name", "email", "phone",
        "mobile", "street", "postcode", "city", "country", "preferred_language",
        "preferred_channel", "notes", "external_ref",
    ]  # fmt: skip
    return {
        "customer": {name: getattr(customer, name) for name in profile_fields}
        | {
            "id": customer.pk,
            "home_branch": customer.branch.name,
            "salesperson": str(customer.salesperson) if customer.salesperson else None,
            "created_at": customer.created_at.isoformat(),
            "updated_at": customer.updated_at.isoformat(),
        },
        "records": personal_data_records.export_records(customer),
    }
