"""aftersales.api.LeanRepresentation: the API lists answer exactly what DRF's own serializing
gave, on rows with and without their optional relations, and the readers hand DRF every case
they cannot vouch for."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers

from aftersales.api import LeanRepresentation
from customers.models import Customer
from quality import services as quality
from quality.models import Complaint, ComplaintCategory
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import FollowUpFactory
from tests.quality.factories import ComplaintFactory

NOW = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    # Frozen, so that a complaint's seconds left are the same in both answers.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rows(north, manager, owner):
    """Rows of every list with their optional relations there and missing."""
    sold = PurchaseFactory(
        customer=CustomerFactory(branch=north, salesperson=owner), branch=north, salesperson=owner
    )
    company = CustomerFactory(
        branch=north, kind=Customer.Kind.COMPANY, company_name="Müller GmbH", first_name=""
    )
    CustomerFactory(branch=north, first_name="", last_name="")  # "(no name)"
    noise = ComplaintCategory.objects.create(name="Noise", code="test-noise")
    wind = ComplaintCategory.objects.create(name="Wind noise", code="test-wind", parent=noise)
    worker = UserFactory(roles=["service"], branches=[north])
    ComplaintFactory(customer=sold.customer, purchase=sold, category=wind, owner=owner, by=worker)
    ComplaintFactory(customer=company, category=noise, by=worker)
    resolved = ComplaintFactory(customer=company, category=wind, by=worker)
    quality.resolve_complaint(
        complaint=resolved, by=worker, resolution=Complaint.Resolution.REPAIR, notes=""
    )
    FollowUpFactory(purchase=sold, assignee=manager)
    FollowUpFactory(purchase=sold, assignee=manager, due_date=NOW.date() - timedelta(days=3))


def _answer(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/customers/",
        "/api/purchases/",
        "/api/followups/?scope=team",
        "/api/complaints/",
        "/api/dissonance/customers/",
    ],
)
def test_a_list_answers_what_drf_serializing_answered(client_for, manager, rows, url, monkeypatch):
    client = client_for(manager)
    lean = _answer(client, url)
    assert lean["results"]
    # DRF's own building of the fields and its own loop over them, for the same request.
    monkeypatch.delattr(LeanRepresentation, "to_representation")
    monkeypatch.delattr(LeanRepresentation, "get_fields")
    assert _answer(client, url) == lean


class Reading(LeanRepresentation, serializers.ModelSerializer):
    """Sources the plain readers cannot follow alone."""

    salesperson_name = serializers.CharField(source="salesperson.username", read_only=True)
    salesperson_email = serializers.CharField(source="salesperson.email", default="-")
    salesperson_login = serializers.CharField(
        source="salesperson.username", allow_null=True, required=True
    )
    salesperson_pk = serializers.PrimaryKeyRelatedField(source="salesperson", read_only=True)
    url = serializers.CharField(source="get_absolute_url")
    branch_code = serializers.CharField(source="branch.code")
    whole = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "salesperson_name",
            "salesperson_email",
            "salesperson_login",
            "salesperson_pk",
            "url",
            "branch_code",
            "whole",
        ]

    def get_whole(self, customer):
        return customer.display_name


@pytest.mark.parametrize("with_salesperson", [True, False])
def test_readers_give_drf_the_cases_they_cannot_vouch_for(north, owner, with_salesperson):
    customer = CustomerFactory(branch=north, salesperson=owner if with_salesperson else None)
    serializer = Reading()
    expected = serializers.ModelSerializer.to_representation(serializer, customer)
    assert serializer.to_representation(customer) == expected
    if not with_salesperson:
        # DRF leaves out a field it cannot reach unless it has a default or may be null.
        assert "salesperson_name" not in expected
        assert expected["salesperson_email"] == "-"
        assert expected["salesperson_login"] is None
        assert expected["salesperson_pk"] is None
    assert expected["url"] == customer.get_absolute_url()


def test_readers_read_a_mapping_as_drf_does(north):
    class Plain(LeanRepresentation, serializers.Serializer):
        name = serializers.CharField()
        code = serializers.CharField(source="branch.code")

    data = {"name": "Anna", "branch": {"code": "N"}}
    assert Plain().to_representation(data) == {"name": "Anna", "code": "N"}


def test_fields_are_built_once_per_class_and_copied(north):
    first, second = Reading(), Reading()
    assert list(first.fields) == list(second.fields) == Reading.Meta.fields
    assert first.fields["url"] is not second.fields["url"]
    assert first.fields["url"].parent is first


class Moments(LeanRepresentation, serializers.Serializer):
    """Date-times as the readers convert them themselves, and as they leave to DRF."""

    at = serializers.DateTimeField()
    in_vienna = serializers.DateTimeField(source="at", default_timezone=ZoneInfo("Europe/Vienna"))
    as_text = serializers.DateTimeField(source="at", format="%d.%m.%Y %H:%M")
    raw = serializers.DateTimeField(source="at", format=None)


class Moment:
    def __init__(self, at):
        self.at = at


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Sao_Paulo"])
@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 6, 9, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Tokyo")),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # the hour Berlin's clocks go forward
        datetime(2026, 6, 9, 8, 0),  # noqa: DTZ001 (naive on purpose: DRF makes it aware)
        datetime(1, 1, 1, 0, 30, tzinfo=UTC),  # before year 1 in zones east of UTC
    ],
)
def test_date_times_come_out_as_drf_writes_them(zone, at):
    with timezone.override(ZoneInfo(zone)):
        serializer = Moments()
        try:
            expected = serializers.Serializer.to_representation(serializer, Moment(at))
        except serializers.ValidationError as refusal:
            with pytest.raises(serializers.ValidationError) as lean_refusal:
                serializer.to_representation(Moment(at))
            assert lean_refusal.value.detail == refusal.detail
            return
        assert serializer.to_representation(Moment(at)) == expected
    if zone == "UTC" and at.tzinfo is UTC and at.year > 1:
        assert expected["at"].endswith("Z")


def test_fields_with_fields_inside_are_built_afresh_for_each_serializer(north):
    class Nested(LeanRepresentation, serializers.Serializer):
        codes = serializers.ListField(child=serializers.CharField())
        customer = Reading()

    first, second = Nested(), Nested()
    assert first.fields["codes"].child is not second.fields["codes"].child
    assert first.fields["codes"].child.parent is first.fields["codes"]
    assert first.fields["customer"].fields["url"] is not second.fields["customer"].fields["url"]
    assert first.fields["customer"].parent is first
