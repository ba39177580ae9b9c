import factory

from quality import services
from quality.models import Complaint, ComplaintCategory, Nature, Severity
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory


class ComplaintCategoryFactory(factory.django.DjangoModelFactory):
    """A category of the taxonomy; pass `parent=` for a child ("Noise → Wind noise").

    Tests make their own categories: the demo taxonomy of the data migration may have been
    flushed by a transactional test."""

    class Meta:
        model = ComplaintCategory
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test category {n}")
    code = factory.Sequence(lambda n: f"test-category-{n}")
    parent = None
    is_active = True


def _service_user(complaint):
    branch = complaint.purchase.branch if complaint.purchase else complaint.customer.branch
    return UserFactory(roles=["service"], branches=[branch])


class ComplaintFactory(factory.Factory):
    """A complaint recorded through quality.services.record_complaint, so it has its deadlines,
    its first event and its dissonance signal like a real one.

    `by` defaults to a new service user of the customer's (or purchase's) branch; the other
    arguments are the service's."""

    class Meta:
        model = Complaint

    purchase = None
    customer = factory.Maybe(
        "purchase",
        yes_declaration=factory.SelfAttribute("purchase.customer"),
        no_declaration=factory.SubFactory(CustomerFactory),
    )
    category = factory.SubFactory(ComplaintCategoryFactory)
    description = "The car makes a whistling noise above 100 km/h."
    channel = Complaint.Channel.PHONE
    severity = Severity.MEDIUM
    nature = Nature.UNKNOWN
    received_at = None
    owner = None
    attachments = ()
    by = factory.LazyAttribute(_service_user)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.record_complaint(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Complaints are recorded through the service: use create().")
