"""Audits through the services: scores per section and overall (by hand), versioning (a completed
audit never changes when its template is edited), save and resume, sign-off and the lock, the
invoice sample's error rates and the communication sample."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import OutgoingEmail
from customers.services import erase_customer
from followups.models import ContactChannel, ContactEvent, Purpose
from quality.audits import dashboard, selectors, services
from quality.audits.models import (
    Area,
    AuditAnswer,
    AuditPhoto,
    AuditStatus,
    AuditTemplateVersion,
    FindingSeverity,
    InvoiceErrorKind,
)
from tests.aftersales.factories import NotificationFactory, UserFactory
from tests.customers.factories import CustomerFactory
from tests.quality.audit_helpers import (
    INVOICING_SECTIONS,
    answers,
    carried_out,
    item,
    items_by_text,
    make_template,
    plan,
)

pytestmark = pytest.mark.django_db

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def template(db):
    return make_template()


@pytest.fixture
def audit(north, template, quality_manager):
    return plan(branch=north, template=template, auditor=quality_manager)


class TestScoring:
    def test_section_and_overall_scores_by_hand(self, audit, quality_manager):
        # Correctness: 3 × 1 + 2 × 0 = 3 of 5 → 60 %. Understandable: clarity 4 is 3/4 of 2
        # points = 1.5, 3 days against a target of 2 earns (4 − 3) / 2 = 0.5 of 1 → 2 of 3 →
        # 66.7 %. Overall 5 of 8 = 62.5 %: below the threshold of 80, failed.
        audit = carried_out(
            audit,
            by=quality_manager,
            discounts_shown={"met": False},
            clarity={"rating": 4},
            days_to_send={"value": "3"},
        )
        assert audit.status == AuditStatus.SUBMITTED
        assert audit.score == Decimal("62.5")
        assert [entry["score"] for entry in audit.section_scores] == [60.0, 66.7]
        assert audit.passed is False
        assert audit.critical_failed is False
        points = {row.item.text: row.points for row in audit.answers.select_related("item")}
        assert points == {
            "Prices as agreed": Decimal("1.000"),
            "Discounts shown": Decimal("0.000"),
            "Clarity": Decimal("0.750"),
            "Days to send": Decimal("0.500"),
        }

    def test_not_applicable_leaves_the_denominator(self, audit, quality_manager):
        # Discounts not applicable: Correctness 3 of 3; overall (3 + 2 + 1) of 6 = 100 %.
        audit = carried_out(audit, by=quality_manager, discounts_shown={"not_applicable": True})
        assert audit.score == Decimal("100.0")
        assert audit.passed is True
        assert not audit.findings.exists()

    def test_a_failed_critical_item_fails_a_high_score_and_is_a_critical_finding(
        self, audit, quality_manager
    ):
        # 5 of 8 = 62.5 % anyway, but the audit would fail on the critical item alone.
        audit = carried_out(audit, by=quality_manager, prices_as_agreed={"met": False})
        assert audit.critical_failed is True
        assert audit.passed is False
        finding = audit.findings.get()
        assert finding.title == "Prices as agreed"
        assert finding.severity == FindingSeverity.CRITICAL
        assert finding.branch_id == audit.branch_id
        assert finding.area == Area.INVOICING

    def test_a_critical_item_cannot_be_marked_not_applicable(self, audit, quality_manager):
        services.save_audit(
            audit=audit,
            by=quality_manager,
            answers=answers(audit, prices_as_agreed={"not_applicable": True}),
        )
        answer = AuditAnswer.objects.get(audit=audit, item__text="Prices as agreed")
        assert answer.not_applicable is False

    def test_each_failed_item_is_one_finding(self, audit, quality_manager):
        audit = carried_out(
            audit,
            by=quality_manager,
            discounts_shown={"met": False, "note": "Goodwill of 50 € missing."},
            clarity={"rating": 2},
            days_to_send={"value": "4"},
        )
        findings = {finding.title: finding for finding in audit.findings.all()}
        assert set(findings) == {"Discounts shown", "Clarity", "Days to send"}
        assert findings["Discounts shown"].severity == FindingSeverity.MAJOR
        assert findings["Discounts shown"].description == "Goodwill of 50 € missing."
        assert findings["Clarity"].severity == FindingSeverity.MINOR
        assert "4" in findings["Days to send"].evidence

    def test_rating_out_of_range_is_a_field_error(self, audit, quality_manager):
        with pytest.raises(DomainError) as error:
            services.save_audit(
                audit=audit, by=quality_manager, answers=answers(audit, clarity={"rating": 7})
            )
        assert error.value.field.startswith("item_")


class TestVersioning:
    def test_a_completed_audit_never_changes_when_its_template_is_edited(
        self, template, audit, quality_manager, admin_user
    ):
        audit = carried_out(audit, by=quality_manager, discounts_shown={"met": False})
        before = (audit.version_id, audit.score, audit.section_scores)
        old_items = items_by_text(audit)
        changed = [
            {
                "title": "Correctness",
                "items": [
                    item("Prices as agreed", weight=1, is_critical=True),
                    item("Discounts shown", weight=5),
                    item("Order number quoted"),
                ],
            },
            INVOICING_SECTIONS[1],
        ]
        services.update_template(
            template=template, by=admin_user, name=template.name, sections=changed
        )
        assert template.versions.count() == 2
        audit.refresh_from_db()
        assert (audit.version_id, audit.score, audit.section_scores) == before
        assert items_by_text(audit) == old_items
        assert old_items["Discounts shown"].weight == 2
        new = template.current_version()
        assert new.number == 2
        assert [row.text for row in services.version_items(new.pk)][:3] == [
            "Prices as agreed",
            "Discounts shown",
            "Order number quoted",
        ]
        # A new audit is carried out on the new version.
        second = plan(branch=audit.branch, template=template, auditor=quality_manager)
        assert second.version_id == new.pk

    def test_an_unused_version_is_changed_in_place(self, template, admin_user):
        services.update_template(
            template=template,
            by=admin_user,
            name="Renamed",
            sections=INVOICING_SECTIONS[:1],
            pass_threshold=70,
        )
        version = AuditTemplateVersion.objects.get(template=template)
        assert version.number == 1
        assert version.pass_threshold == 70
        assert version.sections.count() == 1

    def test_saving_the_same_structure_makes_no_version(self, template, audit, admin_user):
        services.save_audit(audit=audit, by=admin_user, answers={})
        structure = services.template_structure(template.current_version())
        services.update_template(
            template=template, by=admin_user, name=template.name, sections=structure
        )
        assert template.versions.count() == 1

    def test_a_planned_audit_without_answers_moves_to_the_new_version(
        self, template, audit, quality_manager, admin_user
    ):
        services.save_audit(audit=audit, by=quality_manager, answers={})  # in use now
        services.update_template(
            template=template, by=admin_user, name=template.name, sections=INVOICING_SECTIONS[:1]
        )
        planned = plan(branch=audit.branch, template=template, auditor=quality_manager)
        first = template.versions.get(number=1)
        # A planned audit still made on version 1 starts on the current version.
        planned.version = first
        planned.save()
        started = services.save_audit(audit=planned, by=quality_manager, answers={})
        assert started.version.number == 2

    @pytest.mark.parametrize(
        ("sections", "field"),
        [
            ([], "sections"),
            ([{"title": "", "items": [item("x")]}], "sections"),
            ([{"title": "Only notes", "items": [item("x", "observation", 0)]}], "sections"),
            ([{"title": "M", "items": [item("Measured", "measured")]}], "sections"),
        ],
    )
    def test_bad_templates_are_refused_with_a_field(self, sections, field):
        with pytest.raises(DomainError) as error:
            services.create_template(by=None, name="Bad", area=Area.SALES, sections=sections)
        assert error.value.field == field


class TestCarryingOut:
    def test_save_and_resume(self, audit, quality_manager):
        services.save_audit(
            audit=audit,
            by=quality_manager,
            answers=answers(audit, prices_as_agreed={"met": "yes", "note": "Checked 10."}),
            notes="Started at the desk.",
            photos={
                items_by_text(audit)["Prices as agreed"].pk: [
                    SimpleUploadedFile("desk.jpg", PHOTO, content_type="image/jpeg")
                ]
            },
        )
        audit.refresh_from_db()
        assert audit.status == AuditStatus.IN_PROGRESS
        assert audit.started_at is not None
        photo = AuditPhoto.objects.get(audit=audit)
        assert photo.item.text == "Prices as agreed"
        assert photo.file.storage.location.endswith("private")
        rows = [row for _section, _score, rows in selectors.checklist(audit) for row in rows]
        saved = {row.item.text: row.answer for row in rows if row.answer}
        assert saved["Prices as agreed"].met is True
        assert saved["Prices as agreed"].note == "Checked 10."
        # Resumed later: the rest, then submitted.
        with pytest.raises(services.AuditIncomplete) as incomplete:
            services.submit_audit(audit=audit, by=quality_manager)
        assert len(incomplete.value.errors) == 3
        audit = carried_out(audit, by=quality_manager)
        assert audit.score == Decimal("100.0")
        assert audit.notes == "Started at the desk."

    def test_a_photo_must_be_a_photo(self, audit, quality_manager):
        with pytest.raises(DomainError):
            services.save_audit(
                audit=audit,
                by=quality_manager,
                photos={None: [SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")]},
            )
        assert not AuditPhoto.objects.exists()

    def test_signed_off_audits_are_locked(self, audit, quality_manager):
        audit = carried_out(audit, by=quality_manager)
        with pytest.raises(DomainError):
            services.save_audit(audit=audit, by=quality_manager, answers={})
        audit = services.sign_off_audit(audit=audit, by=quality_manager, note="Fine.")
        assert audit.status == AuditStatus.SIGNED_OFF
        assert audit.is_locked
        for attempt in (services.submit_audit, services.sign_off_audit):
            with pytest.raises(DomainError):
                attempt(audit=audit, by=quality_manager)

    def test_only_quality_managers_audit_and_sign_off(self, audit, manager, owner):
        for person in (manager, owner):
            with pytest.raises(DomainError):
                services.save_audit(audit=audit, by=person, answers={})
        with pytest.raises(DomainError):
            services.sign_off_audit(audit=audit, by=manager)

    def test_the_auditor_must_be_a_quality_manager_of_the_branch(self, north, south, template):
        outsider_qm = UserFactory(roles=["quality"], branches=[south])
        with pytest.raises(DomainError) as error:
            plan(branch=north, template=template, auditor=outsider_qm)
        assert error.value.field == "auditor"


def invoicing_audit(branch, by, *, submitted=True, **samples):
    audit = plan(branch=branch, template=make_template(), auditor=by)
    for number, (invoice_date, errors) in samples.items():
        services.add_invoice_sample(
            audit=audit,
            by=by,
            number=number,
            invoice_date=invoice_date,
            amount=Decimal("120.00"),
            clarity=4,
            errors=errors,
        )
    if submitted:
        carried_out(audit, by=by)
    return audit


class TestInvoiceSample:
    def test_error_rates_per_branch_and_type_by_hand(self, north, south, admin_user):
        north_qm = UserFactory(roles=["quality"], branches=[north])
        south_qm = UserFactory(roles=["quality"], branches=[south])
        day = date(2026, 5, 4)
        # North: 4 invoices, 2 with errors → 50 %; wrong price 2 of 4, late 1 of 4.
        invoicing_audit(
            north,
            north_qm,
            R1=(day, [InvoiceErrorKind.WRONG_PRICE]),
            R2=(day, [InvoiceErrorKind.WRONG_PRICE, InvoiceErrorKind.LATE]),
            R3=(day, []),
            R4=(day, []),
        )
        # South: 5 invoices, 1 with a missing discount → 20 %.
        invoicing_audit(
            south,
            south_qm,
            S1=(day, [InvoiceErrorKind.DISCOUNT_MISSING]),
            S2=(day, []),
            S3=(day, []),
            S4=(day, []),
            S5=(day, []),
        )
        # Samples of an audit not yet submitted do not count.
        invoicing_audit(
            north, north_qm, submitted=False, X1=(day, [InvoiceErrorKind.WRONG_CUSTOMER_DATA])
        )
        rates = {row["branch"]: row for row in selectors.invoice_error_rates(admin_user)}
        assert rates["North"]["samples"] == 4
        assert rates["North"]["with_errors"] == 2
        assert rates["North"]["rate"] == Decimal("50.0")
        assert rates["North"]["by_type"][InvoiceErrorKind.WRONG_PRICE] == Decimal("50.0")
        assert rates["North"]["by_type"][InvoiceErrorKind.LATE] == Decimal("25.0")
        assert rates["North"]["by_type"][InvoiceErrorKind.WRONG_CUSTOMER_DATA] == Decimal("0.0")
        assert rates["South"]["rate"] == Decimal("20.0")
        assert rates["South"]["by_type"][InvoiceErrorKind.DISCOUNT_MISSING] == Decimal("20.0")
        # A quality manager of North sees North only.
        assert [row["branch"] for row in selectors.invoice_error_rates(north_qm)] == ["North"]

    def test_error_rates_over_time(self, north, quality_manager):
        invoicing_audit(
            north,
            quality_manager,
            A=(date(2026, 2, 10), [InvoiceErrorKind.UNCLEAR_ITEM]),
            B=(date(2026, 2, 11), []),
            C=(date(2026, 5, 10), []),
        )
        rows = selectors.invoice_error_rates(quality_manager, by_quarter=True)
        assert [(row["quarter"], row["rate"]) for row in rows] == [
            (date(2026, 1, 1), Decimal("50.0")),
            (date(2026, 4, 1), Decimal("0.0")),
        ]
        since = selectors.invoice_error_rates(quality_manager, since=date(2026, 4, 1))
        assert since[0]["samples"] == 1

    def test_the_dashboard_shows_the_rate_per_type_and_quarter(self, north, quality_manager):
        invoicing_audit(
            north,
            quality_manager,
            A=(date(2026, 2, 10), [InvoiceErrorKind.UNCLEAR_ITEM, InvoiceErrorKind.LATE]),
            B=(date(2026, 2, 11), []),
            C=(date(2026, 5, 10), [InvoiceErrorKind.LATE]),
            D=(date(2026, 5, 11), []),
            E=(date(2026, 5, 12), []),
            F=(date(2026, 5, 13), []),
        )
        figures = dashboard.figures(quality_manager, today=date(2026, 6, 30))
        (north_row,) = figures.invoice_rates
        assert (north_row["samples"], north_row["with_errors"], north_row["rate"]) == (
            6,
            2,
            Decimal("33.3"),
        )
        by_type = {kind["kind"]: (kind["count"], kind["rate"]) for kind in north_row["types"]}
        assert by_type[InvoiceErrorKind.LATE] == (2, Decimal("33.3"))
        assert by_type[InvoiceErrorKind.UNCLEAR_ITEM] == (1, Decimal("16.7"))
        assert by_type[InvoiceErrorKind.WRONG_PRICE] == (0, Decimal("0.0"))
        assert [
            (row["quarter_label"], row["rate"], row["types"][-1]["rate"])
            for row in figures.invoice_trend
        ] == [
            ("Q1 2026", Decimal("50.0"), Decimal("50.0")),
            ("Q2 2026", Decimal("25.0"), Decimal("25.0")),
        ]

    def test_the_dashboard_page_shows_types_and_quarters_in_german(
        self, north, quality_manager, client
    ):
        today = timezone.localdate()
        invoicing_audit(
            north,
            quality_manager,
            A=(today, [InvoiceErrorKind.WRONG_PRICE]),
            B=(today, []),
            C=(today, []),
        )
        client.force_login(quality_manager)
        page = client.get("/quality/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
        rates = page[page.index('data-testid="invoice-rates"') :]
        assert "Falscher Preis" in rates
        assert "33,3 %" in rates
        trend = page[page.index('data-testid="invoice-trend"') :]
        assert dashboard.quarter_label(today) in trend

    def test_bad_samples_are_refused(self, north, quality_manager):
        audit = invoicing_audit(north, quality_manager, submitted=False, R1=(date(2026, 1, 5), []))
        with pytest.raises(DomainError) as twice:
            services.add_invoice_sample(
                audit=audit,
                by=quality_manager,
                number="R1",
                invoice_date=date(2026, 1, 5),
                amount=Decimal("1"),
                clarity=3,
            )
        assert twice.value.field == "number"
        with pytest.raises(DomainError) as unknown:
            services.add_invoice_sample(
                audit=audit,
                by=quality_manager,
                number="R2",
                invoice_date=date(2026, 1, 5),
                amount=Decimal("1"),
                clarity=3,
                errors=["typo"],
            )
        assert unknown.value.field == "errors"
        with pytest.raises(DomainError):
            services.add_invoice_sample(
                audit=audit,
                by=quality_manager,
                number="R3",
                invoice_date=date(2026, 1, 5),
                amount=Decimal("1"),
                clarity=9,
            )

    def test_a_sales_audit_takes_no_invoices(self, north, quality_manager):
        audit = plan(branch=north, template=make_template(area=Area.SALES), auditor=quality_manager)
        with pytest.raises(DomainError):
            services.add_invoice_sample(
                audit=audit,
                by=quality_manager,
                number="R1",
                invoice_date=date(2026, 1, 5),
                amount=Decimal("1"),
                clarity=3,
            )


class TestCommunicationSample:
    @pytest.fixture
    def sent(self, north, south):
        """In May 2026 at North: 12 e-mails to customers, 8 logged contacts, a staff
        notification's e-mail, and the e-mails and contacts of an erased customer and of a
        customer of South; one e-mail in June."""
        zone = north.zone
        may = datetime(2026, 5, 10, 10, tzinfo=zone)
        customers = [CustomerFactory(branch=north) for _number in range(4)]
        erased = CustomerFactory(branch=north, email="gone@example.com")
        elsewhere = CustomerFactory(branch=south)
        rows = {"emails": [], "contacts": []}

        def email(customer, at, subject="Thank you for your visit"):
            row = OutgoingEmail.objects.create(to_address=customer.email, subject=subject, body="…")
            OutgoingEmail.objects.filter(pk=row.pk).update(created_at=at, sent_at=at)
            return row

        def contact(customer, at):
            return ContactEvent.objects.create(
                customer=customer,
                purpose=Purpose.CARE,
                channel=ContactChannel.PHONE,
                happened_at=at,
            )

        for number in range(12):
            customer = customers[number % 4]
            rows["emails"].append(email(customer, may + timedelta(hours=number)))
        for number in range(8):
            rows["contacts"].append(contact(customers[number % 4], may + timedelta(days=1)))
        staff_mail = OutgoingEmail.objects.create(
            to_address=customers[0].email, subject="Staff", body="…"
        )
        NotificationFactory(email=staff_mail)
        OutgoingEmail.objects.filter(pk=staff_mail.pk).update(created_at=may)
        rows["erased_email"] = email(erased, may)
        rows["erased_contact"] = contact(erased, may)
        rows["elsewhere"] = (email(elsewhere, may), contact(elsewhere, may))
        email(customers[0], datetime(2026, 6, 2, 10, tzinfo=zone))
        admin = UserFactory(roles=["admin"], branches=[])
        erase_customer(customer=erased, by=admin)
        rows["staff_mail"] = staff_mail
        return rows

    def audit(self, north, quality_manager):
        template = make_template(area=Area.COMMUNICATION, name="Communication")
        return plan(branch=north, template=template, auditor=quality_manager)

    def draw(self, audit, by, **kwargs):
        arguments = {"start": date(2026, 5, 1), "end": date(2026, 5, 31), "size": 30} | kwargs
        return services.draw_communication_sample(audit=audit, by=by, **arguments)

    def test_the_candidates_are_what_was_sent_to_customers_of_the_branch_not_erased(
        self, sent, north, quality_manager
    ):
        audit = self.audit(north, quality_manager)
        candidates = services.communication_candidates(
            audit, start=date(2026, 5, 1), end=date(2026, 5, 31)
        )
        emails = {pk for source, pk in candidates if source == "email"}
        contacts = {pk for source, pk in candidates if source == "contact"}
        assert emails == {row.pk for row in sent["emails"]}
        assert contacts == {row.pk for row in sent["contacts"]}
        assert sent["erased_email"].pk not in emails
        assert sent["erased_contact"].pk not in contacts
        assert sent["elsewhere"][0].pk not in emails
        assert sent["elsewhere"][1].pk not in contacts

    def test_the_same_seed_draws_the_same_sample(self, sent, north, quality_manager):
        first = self.draw(self.audit(north, quality_manager), quality_manager, size=6, seed=7)
        second = self.draw(self.audit(north, quality_manager), quality_manager, size=6, seed=7)
        other = self.draw(self.audit(north, quality_manager), quality_manager, size=6, seed=8)

        def picked(samples):
            return sorted(
                (sample.source, sample.email_id or sample.contact_id) for sample in samples
            )

        assert len(first) == 6
        assert picked(first) == picked(second)
        assert picked(first) != picked(other)

    def test_the_sample_is_random_and_never_twice(self, sent, north, quality_manager):
        audit = self.audit(north, quality_manager)
        drawn = self.draw(audit, quality_manager, size=5)
        more = self.draw(audit, quality_manager, size=30)
        everything = [*drawn, *more]
        keys = [(s.source, s.email_id or s.contact_id) for s in everything]
        assert len(keys) == len(set(keys))
        assert all(sample.customer.erased_at is None for sample in everything)
        assert all(sample.customer.branch_id == north.pk for sample in everything)
        assert (
            services.draw_communication_sample(
                audit=audit,
                by=quality_manager,
                start=date(2026, 5, 1),
                end=date(2026, 5, 31),
                size=5,
            )
            == []
        )

    def test_rating_and_bad_draws(self, sent, north, quality_manager):
        audit = self.audit(north, quality_manager)
        sample = self.draw(audit, quality_manager, size=1, seed=1)[0]
        services.rate_communication_sample(
            sample=sample, by=quality_manager, correctness=5, clarity=4, tone=3, timeliness=2
        )
        sample.refresh_from_db()
        assert sample.is_rated
        with pytest.raises(DomainError) as bad:
            services.rate_communication_sample(
                sample=sample, by=quality_manager, correctness=6, clarity=4, tone=3, timeliness=2
            )
        assert bad.value.field == "correctness"
        with pytest.raises(DomainError) as backwards:
            self.draw(audit, quality_manager, start=date(2026, 6, 1), end=date(2026, 5, 1))
        assert backwards.value.field == "end"
        with pytest.raises(DomainError) as too_many:
            self.draw(audit, quality_manager, size=500)
        assert too_many.value.field == "size"


def test_overdue_audits(north, template, quality_manager):
    overdue = plan(branch=north, template=template, auditor=quality_manager, due_in_days=-3)
    plan(branch=north, template=template, auditor=quality_manager, due_in_days=3)
    assert list(selectors.audit_list(quality_manager, overdue=True)) == [overdue]
    assert overdue.is_overdue
    assert timezone.localdate() > overdue.due_on
