"""The complaints browser UI: recording, the list, the complaint page with its workflow actions,
attachments; with the personas of tests/conftest.py and a service user of North (sven).

Who sees what: service, managers and quality managers their branches' complaints; sales only
those of their own customers (customer.salesperson or purchase.salesperson), without actions;
mystery shoppers nothing (403); anyone from another branch gets 404.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from quality import services
from quality.models import Complaint, DissonanceSignal, Nature, Severity
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

Status = Complaint.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def stan(south):
    """Service staff of South."""
    return UserFactory(username="stan", roles=["service"], branches=[south])


@pytest.fixture
def noise(db):
    return ComplaintCategoryFactory(name="Noise", code="test-noise")


@pytest.fixture
def wind_noise(noise):
    return ComplaintCategoryFactory(name="Wind noise", code="test-noise-wind", parent=noise)


@pytest.fixture
def invoice(db):
    return ComplaintCategoryFactory(name="Invoice", code="test-invoice")


@pytest.fixture
def owners_customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, last_name="Owner-Kunde")


@pytest.fixture
def owners_complaint(sven, owners_customer, wind_noise):
    """North: the customer of the salesperson `owner`."""
    return ComplaintFactory(
        by=sven, customer=owners_customer, category=wind_noise, nature=Nature.SUBJECTIVE
    )


@pytest.fixture
def sold_by_owner(sven, north, colleague, owner, invoice):
    """North: the colleague's customer, but a purchase the owner sold."""
    purchase = PurchaseFactory(
        customer=CustomerFactory(branch=north, salesperson=colleague), salesperson=owner
    )
    return ComplaintFactory(by=sven, purchase=purchase, category=invoice)


@pytest.fixture
def colleagues_complaint(sven, north, colleague, invoice):
    return ComplaintFactory(
        by=sven,
        customer=CustomerFactory(branch=north, salesperson=colleague),
        category=invoice,
        severity=Severity.CRITICAL,
        nature=Nature.OBJECTIVE,
    )


@pytest.fixture
def south_complaint(stan, south, wind_noise):
    return ComplaintFactory(by=stan, customer=CustomerFactory(branch=south), category=wind_noise)


@pytest.fixture
def everything(owners_complaint, sold_by_owner, colleagues_complaint, south_complaint):
    return {
        "owners": owners_complaint,
        "sold_by_owner": sold_by_owner,
        "colleagues": colleagues_complaint,
        "south": south_complaint,
    }


def listed(response):
    return {complaint.pk for complaint in response.context["page"]}


def ids(everything, *names):
    return {everything[name].pk for name in names}


# --- who sees what ---

NORTH = ("owners", "sold_by_owner", "colleagues")


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("sven", NORTH),
        ("manager", NORTH),
        ("quality_manager", NORTH),
        ("admin_user", (*NORTH, "south")),
        ("stan", ("south",)),
        ("owner", ("owners", "sold_by_owner")),
        # The colleague's customer, though the owner sold that purchase.
        ("colleague", ("sold_by_owner", "colleagues")),
        ("outsider", ()),
    ],
)
def test_the_list_shows_what_each_persona_may_see(login, request, everything, persona, visible):
    user = request.getfixturevalue(persona)
    response = login(user).get(reverse("quality:complaint-list"))
    assert response.status_code == 200
    assert listed(response) == ids(everything, *visible)
    for name, complaint in everything.items():
        detail = login(user).get(complaint.get_absolute_url())
        assert detail.status_code == (200 if name in visible else 404), name


def test_mystery_shoppers_see_no_complaints(login, shopper, owners_complaint):
    client = login(shopper)
    attachment_url = reverse("quality:attachment", args=[owners_complaint.pk, 1])
    for url in (
        reverse("quality:complaint-list"),
        reverse("quality:complaint-create"),
        owners_complaint.get_absolute_url(),
        attachment_url,
    ):
        assert client.get(url).status_code == 403, url
    action = reverse("quality:complaint-acknowledge", args=[owners_complaint.pk])
    assert client.post(action).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, owners_complaint):
    response = client.get(owners_complaint.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_navigation_offers_complaints_to_staff_only(login, sven, owner, shopper):
    link = f'href="{reverse("quality:complaint-list")}"'
    assert link in login(sven).get(reverse("home")).content.decode()
    assert link in login(owner).get(reverse("home")).content.decode()
    assert link not in login(shopper).get(reverse("home")).content.decode()


# --- the complaint page ---


def test_the_complaint_page_shows_everything_recorded(login, sven, owners_complaint):
    page = login(sven).get(owners_complaint.get_absolute_url()).content.decode()
    customer = owners_complaint.customer
    assert customer.display_name in page
    assert customer.get_absolute_url() in page
    assert "Noise → Wind noise" in page
    assert "subjective perception" in page
    assert owners_complaint.description in page
    assert "left" in page  # time left to acknowledge
    assert "History" in page


def test_service_staff_get_the_actions_of_the_status(login, sven, owners_complaint):
    page = login(sven).get(owners_complaint.get_absolute_url()).content.decode()
    for action in ("acknowledge", "start", "resolve", "assign"):
        assert reverse(f"quality:complaint-{action}", args=[owners_complaint.pk]) in page
    for action in ("close", "reopen"):
        assert reverse(f"quality:complaint-{action}", args=[owners_complaint.pk]) not in page


def test_sales_see_their_customers_complaint_without_actions(login, owner, owners_complaint):
    response = login(owner).get(owners_complaint.get_absolute_url())
    assert response.status_code == 200
    assert response.context["actions"] == ()
    assert f"/complaints/{owners_complaint.pk}/acknowledge/" not in response.content.decode()


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider"])
def test_sales_cannot_work_complaints(login, request, persona, owners_complaint):
    client = login(request.getfixturevalue(persona))
    url = reverse("quality:complaint-acknowledge", args=[owners_complaint.pk])
    assert client.post(url).status_code == 403
    owners_complaint.refresh_from_db()
    assert owners_complaint.status == Status.NEW


def test_service_staff_of_another_branch_get_404(login, stan, owners_complaint):
    url = reverse("quality:complaint-acknowledge", args=[owners_complaint.pk])
    assert login(stan).post(url).status_code == 404


def test_the_page_links_the_purchase(login, sven, sold_by_owner):
    page = login(sven).get(sold_by_owner.get_absolute_url()).content.decode()
    assert sold_by_owner.purchase.get_absolute_url() in page


# --- the workflow through the page ---


def post_action(client, complaint, action, data=None):
    return client.post(reverse(f"quality:complaint-{action}", args=[complaint.pk]), data or {})


def test_service_works_a_complaint_to_the_end(login, sven, owners_complaint):
    client = login(sven)
    steps = [
        ("acknowledge", {"note": "Called the customer."}, Status.ACKNOWLEDGED),
        ("start", {}, Status.IN_PROGRESS),
        (
            "resolve",
            {"resolution": "adjustment", "notes": "Seal adjusted.", "customer_satisfied": "yes"},
            Status.RESOLVED,
        ),
        ("close", {}, Status.CLOSED),
    ]
    for action, data, status in steps:
        response = post_action(client, owners_complaint, action, data)
        assert response.status_code == 302, action
        assert response.url == owners_complaint.get_absolute_url()
        owners_complaint.refresh_from_db()
        assert owners_complaint.status == status
    page = client.get(owners_complaint.get_absolute_url()).content.decode()
    assert "Complaint closed." in page
    assert "Called the customer." in page
    assert "Seal adjusted." in page
    assert list(owners_complaint.events.values_list("to_status", flat=True)) == [
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    assert all(event.by == sven for event in owners_complaint.events.all())


def test_an_unsatisfied_customer_reopens_it(login, sven, owners_complaint):
    client = login(sven)
    response = post_action(
        client,
        owners_complaint,
        "resolve",
        {"resolution": "explanation", "customer_satisfied": "no"},
    )
    assert response.status_code == 302
    owners_complaint.refresh_from_db()
    assert owners_complaint.status == Status.IN_PROGRESS
    assert owners_complaint.customer_satisfied is False
    assert "not satisfied" in client.get(response.url).content.decode()
    kinds = set(DissonanceSignal.objects.filter(complaint=owners_complaint).values_list("kind"))
    assert ("unsatisfied_resolution",) in kinds


def test_resolve_without_saying_what_was_done_is_a_form_error(login, sven, owners_complaint):
    response = post_action(login(sven), owners_complaint, "resolve", {"customer_satisfied": "yes"})
    assert response.status_code == 200
    assert response.context["action_forms"]["resolve"].errors["resolution"] == [
        "Say what was done."
    ]
    owners_complaint.refresh_from_db()
    assert owners_complaint.status == Status.NEW


def test_reopen_needs_a_reason(login, sven, owners_complaint):
    client = login(sven)
    post_action(client, owners_complaint, "resolve", {"resolution": "repair"})
    response = post_action(client, owners_complaint, "reopen", {"note": ""})
    assert response.status_code == 200
    assert response.context["action_forms"]["reopen"].errors["note"] == [
        "Say why the complaint is reopened."
    ]
    assert (
        post_action(client, owners_complaint, "reopen", {"note": "Back again."}).status_code == 302
    )
    owners_complaint.refresh_from_db()
    assert owners_complaint.status == Status.IN_PROGRESS


def test_a_refused_transition_is_a_message(login, sven, owners_complaint):
    client = login(sven)
    response = post_action(client, owners_complaint, "close")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "A complaint that is new cannot do this." in page
    owners_complaint.refresh_from_db()
    assert owners_complaint.status == Status.NEW


def test_a_second_acknowledge_meanwhile_is_a_message(login, sven, owners_complaint):
    client = login(sven)
    post_action(client, owners_complaint, "acknowledge")
    response = post_action(client, owners_complaint, "acknowledge")
    assert response.status_code == 302
    assert "cannot do this" in client.get(response.url).content.decode()
    assert owners_complaint.events.count() == 2


def test_assign_to_a_colleague_of_the_branch(login, sven, north, stan, owners_complaint):
    sina = UserFactory(username="sina", roles=["service"], branches=[north])
    client = login(sven)
    assert post_action(client, owners_complaint, "assign", {"owner": sina.pk}).status_code == 302
    owners_complaint.refresh_from_db()
    assert owners_complaint.owner == sina
    refused = post_action(client, owners_complaint, "assign", {"owner": stan.pk})
    assert refused.status_code == 200
    assert refused.context["action_forms"]["assign"].errors["owner"] == [
        "Choose someone who works in this branch."
    ]


def test_actions_answer_post_only(login, sven, owners_complaint):
    url = reverse("quality:complaint-acknowledge", args=[owners_complaint.pk])
    assert login(sven).get(url).status_code == 405


# --- recording ---


def complaint_form(customer, category, /, **changes):
    received = timezone.now().astimezone(customer.branch.zone) - timedelta(hours=1)
    data = {
        "customer": customer.pk,
        "purchase": "",
        "channel": "counter",
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "category": category.pk,
        "nature": "subjective",
        "severity": "high",
        "description": "It whistles at the driver's door from 100 km/h.",
        "save": "",
    }
    return {**data, **changes}


def test_service_records_a_complaint_with_attachments(login, sven, owners_customer, wind_noise):
    purchase = PurchaseFactory(customer=owners_customer, identifier="WVW-WHISTLE")
    files = [
        SimpleUploadedFile("door.jpg", b"jpeg", content_type="image/jpeg"),
        SimpleUploadedFile("sound.txt", b"whistle", content_type="text/plain"),
    ]
    data = complaint_form(
        owners_customer, wind_noise, purchase=purchase.pk, owner=sven.pk, attachments=files
    )
    client = login(sven)
    response = client.post(reverse("quality:complaint-create"), data)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == complaint.get_absolute_url()
    assert (complaint.customer, complaint.purchase) == (owners_customer, purchase)
    assert (complaint.severity, complaint.nature) == (Severity.HIGH, Nature.SUBJECTIVE)
    assert complaint.category == wind_noise
    assert complaint.owner == sven
    assert sorted(complaint.attachments.values_list("name", flat=True)) == [
        "door.jpg",
        "sound.txt",
    ]
    page = client.get(response.url).content.decode()
    assert f"Complaint {complaint.pk} recorded." in page
    assert "door.jpg" in page


def test_the_time_received_is_the_branchs_local_time(db, login):
    new_york = BranchFactory(
        name="New York", code="NYC", country="US", time_zone="America/New_York"
    )
    nora = UserFactory(username="nora", roles=["service"], branches=[new_york])
    customer = CustomerFactory(branch=new_york)
    category = ComplaintCategoryFactory()
    # 17:30 in New York
    with time_machine.travel(datetime(2025, 3, 14, 21, 30, tzinfo=UTC), tick=False):
        response = login(nora).post(
            reverse("quality:complaint-create"),
            complaint_form(customer, category, received_at="2025-03-14T17:00"),
        )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.received_at.isoformat() == "2025-03-14T21:00:00+00:00"


def test_a_wrong_attachment_is_a_field_error_and_saves_nothing(login, sven, owners_customer, noise):
    page = SimpleUploadedFile("page.html", b"<script>", content_type="text/html")
    response = login(sven).post(
        reverse("quality:complaint-create"),
        complaint_form(owners_customer, noise, attachments=[page]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == [
        "page.html is not a photo, PDF or text file."
    ]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"customer": ""}, "customer", "Find the customer and select them."),
        ({"category": ""}, "category", "Choose what the complaint is about."),
        ({"description": ""}, "description", "Write down what the customer said."),
        ({"description": "   "}, "description", "Write down what the customer said."),
        ({"received_at": "2999-01-01T10:00"}, "received_at", None),
    ],
)
def test_bad_input_is_a_form_error(login, sven, owners_customer, noise, changes, field, message):
    response = login(sven).post(
        reverse("quality:complaint-create"), complaint_form(owners_customer, noise, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert message is None or errors == [message]
    assert not Complaint.objects.exists()


def test_a_customer_of_another_branch_cannot_be_chosen(login, sven, south, noise):
    stranger = CustomerFactory(branch=south)
    response = login(sven).post(
        reverse("quality:complaint-create"), complaint_form(stranger, noise)
    )
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "outsider", "shopper"])
def test_only_complaint_staff_record(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("quality:complaint-create")).status_code == 403


def test_the_customer_page_link_preselects_the_customer(login, sven, owners_customer):
    purchase = PurchaseFactory(customer=owners_customer, identifier="WVW-PRESELECT")
    PurchaseFactory(customer=CustomerFactory(branch=owners_customer.branch), identifier="WVW-NOT")
    url = f"{reverse('quality:complaint-create')}?customer={owners_customer.pk}"
    response = login(sven).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].selected_customer == owners_customer
    assert f'name="customer" value="{owners_customer.pk}"' in page
    assert "WVW-PRESELECT" in page
    assert "WVW-NOT" not in page
    assert list(response.context["form"].fields["purchase"].queryset) == [purchase]


def test_the_categories_are_grouped_by_parent(login, sven, wind_noise, invoice):
    page = login(sven).get(reverse("quality:complaint-create")).content.decode()
    assert '<optgroup label="Noise">' in page
    assert "Noise → Wind noise" in page
    assert f'<option value="{invoice.pk}">Invoice</option>' in page


def test_choosing_a_customer_keeps_what_was_typed(login, sven, owners_customer):
    response = login(sven).post(
        reverse("quality:complaint-create"),
        {
            "customer_search": "Owner",
            "use_customer": owners_customer.pk,
            "description": "Rattle in the dashboard.",
            "severity": "low",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.selected_customer == owners_customer
    assert form.initial["description"] == "Rattle in the dashboard."
    assert "Rattle in the dashboard." in response.content.decode()
    assert not Complaint.objects.exists()


def test_choose_another_customer(login, sven, owners_customer):
    response = login(sven).post(
        reverse("quality:complaint-create"),
        {"customer": owners_customer.pk, "change_customer": "1", "description": "Rattle."},
    )
    assert response.context["form"].selected_customer is None
    assert 'id="customer-search"' in response.content.decode()


def test_find_the_customer_without_javascript(login, sven, owners_customer):
    response = login(sven).post(
        reverse("quality:complaint-create"),
        {"customer_search": "Owner-Kunde", "find_customer": "1"},
    )
    page = response.content.decode()
    assert list(response.context["search"]["customers"]) == [owners_customer]
    assert f'name="use_customer" value="{owners_customer.pk}"' in page


def test_the_picker_search_as_you_type_works_for_service_staff(login, sven, owners_customer):
    response = login(sven).get(
        reverse("customers:customer-picker"), {"customer_search": "Owner-Kunde"}
    )
    assert response.status_code == 200
    assert f'value="{owners_customer.pk}"' in response.content.decode()


# --- attachments ---


@pytest.fixture
def with_photo(sven, owners_customer, wind_noise):
    photo = SimpleUploadedFile("door.jpg", b"JPEG-BYTES", content_type="image/jpeg")
    heic = SimpleUploadedFile("door.heic", b"HEIC-BYTES", content_type="image/heic")
    return ComplaintFactory(
        by=sven, customer=owners_customer, category=wind_noise, attachments=[photo, heic]
    )


def attachment_url(complaint, name):
    attachment = complaint.attachments.get(name=name)
    return reverse("quality:attachment", args=[complaint.pk, attachment.pk])


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    response.close()
    return response, body


@pytest.mark.parametrize("persona", ["sven", "owner", "manager", "admin_user"])
def test_attachments_are_served_to_those_who_see_the_complaint(login, request, persona, with_photo):
    response, body = download(
        login(request.getfixturevalue(persona)), attachment_url(with_photo, "door.jpg")
    )
    assert response.status_code == 200
    assert body == b"JPEG-BYTES"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline")


def test_a_heic_photo_is_downloaded(login, sven, with_photo):
    response, body = download(login(sven), attachment_url(with_photo, "door.heic"))
    assert body == b"HEIC-BYTES"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("persona", "status"), [("colleague", 404), ("outsider", 404), ("stan", 404)]
)
def test_attachments_are_hidden_from_others(login, request, persona, status, with_photo):
    response, _body = download(
        login(request.getfixturevalue(persona)), attachment_url(with_photo, "door.jpg")
    )
    assert response.status_code == status


def test_an_attachment_belongs_to_its_complaint(login, sven, with_photo, colleagues_complaint):
    attachment = with_photo.attachments.get(name="door.jpg")
    url = reverse("quality:attachment", args=[colleagues_complaint.pk, attachment.pk])
    response, _body = download(login(sven), url)
    assert response.status_code == 404


def test_the_page_links_attachments_through_the_checked_view(login, sven, with_photo):
    page = login(sven).get(with_photo.get_absolute_url()).content.decode()
    assert attachment_url(with_photo, "door.jpg") in page
    assert "/media/" not in page


# --- the list: filters, sorting, time left, queries ---


@pytest.fixture
def mixed(sven, north, south, stan, owners_customer, wind_noise, noise, invoice, manager):
    """Complaints of several kinds; `late` was received ten days ago and is not acknowledged."""
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        late = ComplaintFactory(
            by=sven, customer=owners_customer, category=wind_noise, severity=Severity.LOW
        )
    return {
        "late": late,
        "noise": ComplaintFactory(
            by=sven,
            customer=CustomerFactory(branch=north, last_name="Brummer"),
            category=noise,
            nature=Nature.OBJECTIVE,
            severity=Severity.HIGH,
            owner=manager,
        ),
        "invoice": services.acknowledge_complaint(
            complaint=ComplaintFactory(
                by=sven,
                customer=CustomerFactory(branch=north),
                category=invoice,
                nature=Nature.SUBJECTIVE,
                severity=Severity.CRITICAL,
            ),
            by=sven,
        ),
        "south": ComplaintFactory(
            by=stan, customer=CustomerFactory(branch=south), category=invoice
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"late", "noise", "invoice", "south"}),
        ({"status": "new"}, {"late", "noise", "south"}),
        ({"status": "acknowledged"}, {"invoice"}),
        ({"status": "open"}, {"late", "noise", "invoice", "south"}),
        ({"severity": "critical"}, {"invoice"}),
        ({"category": "noise"}, {"late", "noise"}),  # the parent includes its children
        ({"category": "wind_noise"}, {"late"}),
        ({"nature": "objective"}, {"noise"}),
        ({"branch": "south"}, {"south"}),
        ({"owner": "manager"}, {"noise"}),
        ({"mine": "1"}, {"late", "invoice"}),
        ({"breached": "1"}, {"late"}),
        ({"q": "Brummer"}, {"noise"}),
    ],
)
def test_list_filters(login, request, admin_user, sven, mixed, query, expected):
    fixtures = {
        "noise": "noise",
        "wind_noise": "wind_noise",
        "south": "south",
        "manager": "manager",
    }
    params = {
        key: request.getfixturevalue(fixtures[value]).pk if value in fixtures else value
        for key, value in query.items()
    }
    # sven owns the complaints he recorded (except the one given to the manager); the admin sees
    # both branches, sven only North.
    user = sven if "mine" in params else admin_user
    if "mine" in params:
        expected = expected - {"south"}
    response = login(user).get(reverse("quality:complaint-list"), params)
    assert response.status_code == 200
    assert listed(response) == {mixed[name].pk for name in expected}


def test_sorting_by_severity_status_and_deadline(login, sven, mixed):
    client = login(sven)
    by_severity = client.get(reverse("quality:complaint-list"), {"sort": "-severity"})
    assert [c.pk for c in by_severity.context["page"]] == [
        mixed[name].pk for name in ("invoice", "noise", "late")
    ]
    by_status = client.get(reverse("quality:complaint-list"), {"sort": "-status"})
    # The workflow's order (new → acknowledged → …), not the alphabet's.
    assert next(iter(by_status.context["page"])).pk == mixed["invoice"].pk
    by_due = client.get(reverse("quality:complaint-list"), {"sort": "due"})
    assert next(iter(by_due.context["page"])).pk == mixed["late"].pk


def test_every_row_shows_the_time_left(login, sven, mixed):
    response = login(sven).get(reverse("quality:complaint-list"))
    rows = {complaint.pk: complaint for complaint in response.context["page"]}
    late = rows[mixed["late"].pk].time_left
    assert late.overdue
    assert late.kind == "acknowledge"
    assert rows[mixed["invoice"].pk].time_left.kind == "resolve"
    assert not rows[mixed["invoice"].pk].time_left.overdue
    page = response.content.decode()
    assert "overdue by" in page
    assert "text-danger fw-semibold" in page


def test_my_complaints_is_a_quick_view(login, sven, mixed):
    response = login(sven).get(reverse("quality:complaint-list"), {"mine": "1"})
    assert response.context["quick"] == "mine"
    assert f'href="{reverse("quality:complaint-list")}?mine=1"' in response.content.decode()


def test_the_list_pages(login, sven, owners_customer, invoice):
    for _ in range(27):
        ComplaintFactory(by=sven, customer=owners_customer, category=invoice)
    client = login(sven)
    assert len(client.get(reverse("quality:complaint-list")).context["page"]) == 25
    second = client.get(reverse("quality:complaint-list"), {"page": 2})
    assert len(second.context["page"]) == 2


def complaints_for(sven, customer, category, count):
    for number in range(count):
        complaint = ComplaintFactory(by=sven, customer=customer, category=category)
        if number % 2:
            services.start_complaint(complaint=complaint, by=sven)


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_query_count_is_constant(
    login, sven, owners_customer, wind_noise, count, django_assert_num_queries
):
    complaints_for(sven, owners_customer, wind_noise, count)
    client = login(sven)
    # session, the user with their roles, permissions and branches (scoping); the filter
    # choices: branches, owners, categories; count, the page (customer, branch, category with
    # parent and owner joined), unread notifications.
    with django_assert_num_queries(8):
        response = client.get(reverse("quality:complaint-list"))
    assert len(response.context["page"]) == min(count, 25)


@pytest.mark.parametrize("count", [1, 6])
def test_the_complaint_page_query_count_is_constant(
    login, sven, owners_customer, wind_noise, count, django_assert_num_queries
):
    purchase = PurchaseFactory(customer=owners_customer)
    files = [
        SimpleUploadedFile(f"photo{n}.jpg", b"jpeg", content_type="image/jpeg")
        for n in range(count)
    ]
    complaint = ComplaintFactory(
        by=sven, customer=owners_customer, purchase=purchase, category=wind_noise, attachments=files
    )
    for _ in range(count):
        complaint = services.resolve_complaint(
            complaint=complaint, by=sven, resolution="repair", customer_satisfied=False
        )
    client = login(sven)
    # session, the user with their roles, permissions and branches (scoping), the complaint
    # (customer, purchase, people, branch, category joined), its attachments, its events, its
    # corrections, the assign form's staff, unread notifications.
    with django_assert_num_queries(8):
        response = client.get(complaint.get_absolute_url())
    assert response.status_code == 200


# --- administration ---


@pytest.mark.parametrize(
    "model",
    ["complaintcategory", "severitydeadline", "complaint", "dissonancesignal", "dissonancescore"],
)
def test_administrators_see_the_quality_tables(login, admin_user, owners_complaint, model):
    response = login(admin_user).get(reverse(f"admin:quality_{model}_changelist"))
    assert response.status_code == 200


def test_complaints_are_read_only_in_the_admin(login, admin_user, owners_complaint):
    client = login(admin_user)
    url = reverse("admin:quality_complaint_change", args=[owners_complaint.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.post(url, {"description": "changed"}).status_code == 403
    assert client.get(reverse("admin:quality_complaint_add")).status_code == 403
