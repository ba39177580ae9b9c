"""The audit pages: editing a template in the browser (sections and items with weights, types,
guidance and critical; a version in use is never changed, a new one is made), the tablet
checklist (save and resume, then submit), the invoice sample form, the root cause on the
complaint page and the complaints a finding explains."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quality.audits import services
from quality.audits.models import AuditPhoto, AuditStatus, AuditTemplate
from tests.quality.audit_helpers import (
    GOOD,
    answers,
    finding_with_action,
    make_template,
    plan,
)
from tests.quality.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def rows(*items, prefix="items"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, entries in enumerate(items):
        defaults = {"kind": "yes_no", "weight": "1"}
        for name, value in (defaults | entries).items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


TEMPLATE = {"name_en": "Invoicing check", "area": "invoicing", "pass_threshold": "75"}


class TestTemplateEditing:
    def test_a_quality_manager_creates_a_template_with_sections_and_items(
        self, quality_manager, login
    ):
        client = login(quality_manager)
        assert client.get("/audits/templates/new/").status_code == 200
        response = client.post(
            "/audits/templates/new/",
            TEMPLATE
            | rows(
                {
                    "section_en": "Correctness",
                    "text_en": "Prices",
                    "weight": "3",
                    "is_critical": "on",
                },
                {"text_en": "Discounts", "guidance_en": "Compare with the order."},
                {
                    "section_en": "Speed",
                    "text_en": "Days to send",
                    "kind": "measured",
                    "target_value": "2",
                    "unit": "days",
                },
                {"section_en": "Speed", "text_en": "Tone", "kind": "scale", "weight": "2"},
                {},
            ),
        )
        template = AuditTemplate.objects.get(name="Invoicing check")
        assert response.status_code == 302
        assert response["Location"] == template.get_absolute_url()
        version = template.current_version()
        assert version.pass_threshold == 75
        structure = services.template_structure(version)
        assert [section["title_en"] for section in structure] == ["Correctness", "Speed"]
        prices, discounts = structure[0]["items"]
        assert (prices["weight"], prices["is_critical"]) == (3, True)
        assert discounts["guidance_en"] == "Compare with the order."
        days, tone = structure[1]["items"]
        assert (days["kind"], str(days["target_value"]), days["unit"]) == (
            "measured",
            "2.00",
            "days",
        )
        assert tone["kind"] == "scale"
        detail = client.get(template.get_absolute_url()).content.decode()
        assert "Days to send" in detail
        assert "Compare with the order." in detail

    def test_editing_a_template_in_use_makes_a_new_version(self, north, quality_manager, login):
        template = make_template()
        audit = plan(branch=north, template=template, auditor=quality_manager)
        services.save_audit(audit=audit, by=quality_manager, answers=answers(audit, **GOOD))
        client = login(quality_manager)
        page = client.get(f"/audits/templates/{template.pk}/edit/")
        assert "Version 1 is used by audits" in page.content.decode()
        assert page.context["formset"].initial[0]["text_en"] == "Prices as agreed"
        response = client.post(
            f"/audits/templates/{template.pk}/edit/",
            {"name_en": template.name, "area": "sales", "pass_threshold": "80"}
            | rows({"section_en": "Only", "text_en": "Prices as agreed", "weight": "5"}),
            follow=True,
        )
        assert "saved as a new version" in response.content.decode()
        template.refresh_from_db()
        assert template.area == "invoicing"  # the area is fixed
        assert template.versions.count() == 2
        audit.refresh_from_db()
        assert audit.version.number == 1

    def test_bad_rows_are_field_errors(self, quality_manager, login):
        client = login(quality_manager)
        response = client.post(
            "/audits/templates/new/",
            TEMPLATE | rows({"section_en": "S", "text_en": "Measured", "kind": "measured"}),
        )
        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["target_value"]
        response = client.post(
            "/audits/templates/new/",
            TEMPLATE | rows({"text_en": "No section"}),
        )
        assert response.context["formset"].non_form_errors()
        response = client.post(
            "/audits/templates/new/",
            TEMPLATE | rows({"section_en": "S", "text_en": "Only notes", "kind": "observation"}),
        )
        assert "at least one scored item" in str(response.context["formset"].non_form_errors())
        assert not AuditTemplate.objects.exists()

    def test_more_rows_keeps_what_was_typed(self, quality_manager, login):
        response = login(quality_manager).post(
            "/audits/templates/new/",
            TEMPLATE
            | rows({"section_en": "S", "text_en": "Typed", "is_critical": "on"})
            | {"more_rows": "1"},
        )
        formset = response.context["formset"]
        assert formset.initial[0]["text_en"] == "Typed"
        assert formset.initial[0]["is_critical"] is True
        assert len(formset.forms) == 1 + 5
        assert not AuditTemplate.objects.exists()

    @pytest.mark.parametrize("persona", ["manager", "owner"])
    def test_only_quality_managers_edit(self, persona, request, login):
        template = make_template()
        client = login(request.getfixturevalue(persona))
        assert client.get("/audits/templates/new/").status_code == 403
        assert client.get(f"/audits/templates/{template.pk}/edit/").status_code == 403
        assert client.post("/audits/templates/new/", TEMPLATE).status_code == 403


PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64


class TestChecklistPage:
    def test_save_and_resume_then_submit(self, north, quality_manager, login):
        audit = plan(branch=north, template=make_template(), auditor=quality_manager)
        items = {row.text: row.pk for row in services.version_items(audit.version_id)}
        client = login(quality_manager)
        prices = items["Prices as agreed"]
        response = client.post(
            audit.get_absolute_url(),
            {
                "save": "1",
                f"item_{prices}_met": "yes",
                f"item_{prices}_note": "Ten invoices checked.",
                f"item_{prices}_photos": SimpleUploadedFile(
                    "desk.jpg", PHOTO, content_type="image/jpeg"
                ),
                "notes": "Begun.",
            },
            follow=True,
        )
        assert "You can continue later" in response.content.decode()
        audit.refresh_from_db()
        assert audit.status == AuditStatus.IN_PROGRESS
        photo = AuditPhoto.objects.get(audit=audit)
        # Resumed: the page shows what was saved.
        page = client.get(audit.get_absolute_url()).content.decode()
        assert "Ten invoices checked." in page
        assert "desk.jpg" in page
        # Submitting too early names what is missing.
        response = client.post(audit.get_absolute_url(), {"submit": "1"})
        assert response.status_code == 200
        assert len(response.context["errors"]) == 3
        response = client.post(
            audit.get_absolute_url(),
            {
                "submit": "1",
                f"item_{items['Discounts shown']}_met": "no",
                f"item_{items['Clarity']}_rating": "5",
                f"item_{items['Days to send']}_value": "1",
            },
            follow=True,
        )
        audit.refresh_from_db()
        assert audit.status == AuditStatus.SUBMITTED
        assert "Audit submitted: 75.0" in response.content.decode()
        assert audit.findings.get().title == "Discounts shown"
        # Last: closing a streamed response ends the request, which closes the connection.
        streamed = client.get(f"/audits/{audit.pk}/photos/{photo.pk}/")
        assert b"".join(streamed.streaming_content) == PHOTO
        streamed.close()

    def test_the_invoice_sample_form(self, north, quality_manager, login):
        audit = plan(branch=north, template=make_template(), auditor=quality_manager)
        client = login(quality_manager)
        response = client.post(
            f"/audits/{audit.pk}/invoices/",
            {
                "number": "R-1",
                "invoice_date": timezone.localdate().isoformat(),
                "amount": "99.50",
                "errors": ["wrong_price", "late"],
                "clarity": "2",
            },
        )
        assert response.status_code == 302
        sample = audit.invoice_samples.get()
        assert sample.errors == ["wrong_price", "late"]
        bad = client.post(f"/audits/{audit.pk}/invoices/", {"number": "R-2", "clarity": "9"})
        assert bad.status_code == 200
        assert bad.context["invoice_form"].errors.keys() >= {"invoice_date", "amount", "clarity"}


class TestRootCause:
    def test_the_complaint_shows_its_root_cause_and_the_finding_its_complaints(
        self, north, quality_manager, colleague, login
    ):
        finding, _action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        complaint = ComplaintFactory(customer__branch=north)
        client = login(quality_manager)
        page = client.get(complaint.get_absolute_url())
        assert finding in page.context["root_cause_form"].fields["finding"].queryset
        response = client.post(
            f"/complaints/{complaint.pk}/root-cause/", {"finding": finding.pk}, follow=True
        )
        assert "Root cause saved." in response.content.decode()
        complaint.refresh_from_db()
        assert complaint.root_cause == finding
        page = client.get(complaint.get_absolute_url()).content.decode()
        assert finding.title in page
        assert finding.get_absolute_url() in page
        detail = client.get(finding.get_absolute_url())
        assert list(detail.context["complaints"]) == [complaint]
        assert complaint.get_absolute_url() in detail.content.decode()

    def test_only_quality_managers_link_root_causes(self, north, quality_manager, colleague, login):
        finding, _action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        complaint = ComplaintFactory(customer__branch=north)
        response = login(colleague).post(
            f"/complaints/{complaint.pk}/root-cause/", {"finding": finding.pk}
        )
        assert response.status_code == 403
        complaint.refresh_from_db()
        assert complaint.root_cause is None

    def test_a_finding_of_another_branch_cannot_be_named(
        self, north, south, quality_manager, login, admin_user
    ):
        south_qm_finding = services.record_finding(
            by=admin_user, branch=south, area="invoicing", title="Elsewhere"
        )
        complaint = ComplaintFactory(customer__branch=north)
        login(quality_manager).post(
            f"/complaints/{complaint.pk}/root-cause/", {"finding": south_qm_finding.pk}
        )
        complaint.refresh_from_db()
        assert complaint.root_cause is None


def test_due_dates_in_the_past_are_refused_on_the_page(north, quality_manager, colleague, login):
    finding, _action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
    response = login(quality_manager).post(
        f"/findings/{finding.pk}/actions/",
        {
            "description": "Again",
            "owner": colleague.pk,
            "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["action_form"].errors["due_on"]
