"""Who sees and does what in quality audits, in the browser: quality managers plan, audit, sign
off and verify; managers see their branches' audits, findings and dashboard and own actions; any
staff member owns and completes an action assigned to them; sales and service staff see the
findings behind their complaints; an outsider of another branch sees nothing of North. (The
mystery shopper is refused everywhere: tests/staff/test_shopper_isolation.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from quality.audits import services
from quality.audits.models import ActionStatus
from tests.aftersales.factories import UserFactory
from tests.quality.audit_helpers import carried_out, finding_with_action, make_template, plan
from tests.quality.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_world(north, quality_manager, owner):
    """At North: a submitted audit with a finding whose action the salesperson `owner` owns."""
    finding, action = finding_with_action(branch=north, by=quality_manager, owner=owner)
    return {"audit": finding.audit, "finding": finding, "action": action}


def status(client, path, method="get", data=None):
    return getattr(client, method)(path, data or {}).status_code


class TestQualityManager:
    def test_plans_audits_signs_off_and_verifies_in_the_browser(
        self, north, quality_manager, owner, login, north_world
    ):
        client = login(quality_manager)
        template = make_template(name="Second")
        due = (timezone.localdate() + timedelta(days=30)).isoformat()
        response = client.post(
            "/audits/", {"branch": north.pk, "template": template.pk, "due_on": due}
        )
        assert response.status_code == 302
        assert template.audits.count() == 1
        audit = north_world["audit"]
        assert status(client, f"/audits/{audit.pk}/sign-off/", "post") == 302
        audit.refresh_from_db()
        assert audit.is_locked
        action = north_world["action"]
        services.complete_action(action=action, by=owner, note="Done.")
        response = client.post(f"/corrective-actions/{action.pk}/verify/", {"note": "Seen."})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == ActionStatus.VERIFIED


class TestManager:
    def test_sees_their_branches_but_does_not_plan_audit_or_verify(
        self, north, south, manager, quality_manager, owner, login, north_world, admin_user
    ):
        south_finding, _south_action = finding_with_action(
            branch=south,
            by=UserFactory(roles=["quality"], branches=[south]),
            owner=UserFactory(roles=["service"], branches=[south]),
        )
        client = login(manager)
        plan_page = client.get("/audits/")
        assert plan_page.status_code == 200
        assert plan_page.context["form"] is None
        audit = north_world["audit"]
        assert status(client, f"/audits/{audit.pk}/") == 200
        assert status(client, f"/audits/{south_finding.audit_id}/") == 404
        assert status(client, f"/findings/{north_world['finding'].pk}/") == 200
        assert status(client, f"/findings/{south_finding.pk}/") == 404
        assert status(client, "/quality/") == 200
        template = make_template(name="Other")
        due = (timezone.localdate() + timedelta(days=3)).isoformat()
        assert (
            status(
                client,
                "/audits/",
                "post",
                {"branch": north.pk, "template": template.pk, "due_on": due},
            )
            == 403
        )
        assert status(client, f"/audits/{audit.pk}/", "post", {"save": "1"}) == 403
        assert status(client, f"/audits/{audit.pk}/sign-off/", "post") == 403
        action = north_world["action"]
        assert status(client, f"/corrective-actions/{action.pk}/verify/", "post") == 403

    def test_owns_and_completes_an_action(self, north, manager, quality_manager, login):
        _finding, action = finding_with_action(branch=north, by=quality_manager, owner=manager)
        client = login(manager)
        listed = client.get("/corrective-actions/?mine=1")
        assert [row.pk for row in listed.context["page"]] == [action.pk]
        response = client.post(f"/corrective-actions/{action.pk}/complete/", {"note": "Fixed."})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == ActionStatus.COMPLETED


class TestStaff:
    def test_the_owner_of_an_action_sees_and_completes_it(self, owner, login, north_world):
        client = login(owner)
        action = north_world["action"]
        page = client.get("/corrective-actions/")
        assert page.context["mine"] is True
        assert [row.pk for row in page.context["page"]] == [action.pk]
        assert status(client, f"/findings/{north_world['finding'].pk}/") == 200
        # Not the audits themselves, nor the dashboard or templates.
        assert status(client, "/audits/") == 403
        assert status(client, f"/audits/{north_world['audit'].pk}/") == 403
        assert status(client, "/quality/") == 403
        assert status(client, "/audits/templates/") == 403
        response = client.post(f"/corrective-actions/{action.pk}/complete/", {"note": "Done."})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == ActionStatus.COMPLETED
        # The owner cannot verify their own work.
        assert status(client, f"/corrective-actions/{action.pk}/verify/", "post") == 403

    def test_a_colleague_sees_neither_the_action_nor_the_finding(
        self, colleague, login, north_world
    ):
        client = login(colleague)
        action = north_world["action"]
        assert list(client.get("/corrective-actions/").context["page"]) == []
        assert list(client.get("/findings/").context["page"]) == []
        assert status(client, f"/findings/{north_world['finding'].pk}/") == 404
        assert (
            status(client, f"/corrective-actions/{action.pk}/complete/", "post", {"note": "x"})
            == 404
        )
        action.refresh_from_db()
        assert action.status == ActionStatus.OPEN

    def test_sales_and_service_see_the_findings_behind_their_complaints(
        self, north, colleague, quality_manager, login, north_world
    ):
        finding = north_world["finding"]
        complaint = ComplaintFactory(customer__branch=north, customer__salesperson=colleague)
        services.link_root_cause(complaint=complaint, finding=finding, by=quality_manager)
        client = login(colleague)
        assert [row.pk for row in client.get("/findings/").context["page"]] == [finding.pk]
        page = client.get(f"/findings/{finding.pk}/")
        assert page.status_code == 200
        assert list(page.context["complaints"]) == [complaint]
        # The service employee who recorded it, too.
        recorder = login(complaint.created_by)
        assert status(recorder, f"/findings/{finding.pk}/") == 200

    def test_any_staff_member_can_own_an_action(self, north, quality_manager, login):
        mechanic = UserFactory(roles=["service"], branches=[north])
        _finding, action = finding_with_action(branch=north, by=quality_manager, owner=mechanic)
        response = login(mechanic).post(
            f"/corrective-actions/{action.pk}/complete/", {"note": "Torque wrench calibrated."}
        )
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == ActionStatus.COMPLETED


class TestOutsider:
    def test_nothing_of_another_branch(self, north, outsider, login, north_world):
        south_qm_view = login(outsider)
        for path in (
            f"/findings/{north_world['finding'].pk}/",
            f"/audits/{north_world['audit'].pk}/",
        ):
            assert status(south_qm_view, path) in {403, 404}
        assert list(south_qm_view.get("/corrective-actions/").context["page"]) == []

    def test_a_quality_manager_of_south_cannot_touch_north(
        self, north, south, login, north_world, quality_manager
    ):
        south_qm = UserFactory(roles=["quality"], branches=[south])
        client = login(south_qm)
        audit = north_world["audit"]
        assert status(client, f"/audits/{audit.pk}/") == 404
        assert status(client, f"/audits/{audit.pk}/sign-off/", "post") == 404
        north_audit = plan(branch=north, template=make_template(name="N"), auditor=quality_manager)
        assert status(client, f"/audits/{north_audit.pk}/", "post", {"save": "1"}) == 404
        carried = carried_out(north_audit, by=quality_manager)
        assert carried.status == "submitted"
