"""The quality API: audit templates, audits (plan, answers, submit, sign-off), findings,
corrective actions (complete, verify, reopen), complaint clusters and campaigns — validation as
field errors (never a 500) and the same scoping as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quality.audits.models import ActionStatus, AuditStatus, AuditTemplate
from quality.campaigns import services as campaign_services
from quality.campaigns.models import ClusterRule
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh, ids
from tests.quality.audit_helpers import (
    GOOD,
    INVOICING_SECTIONS,
    answers,
    finding_with_action,
    make_template,
    model,
    plan,
    purchase_of,
)
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


def due(days=10):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def south_world(south):
    south_qm = UserFactory(roles=["quality"], branches=[south])
    staff = UserFactory(roles=["service"], branches=[south])
    finding, action = finding_with_action(branch=south, by=south_qm, owner=staff)
    return {"qm": south_qm, "finding": finding, "action": action, "audit": finding.audit}


class TestTemplates:
    def test_create_list_and_a_new_version_on_update(self, client_for, quality_manager, north):
        api = client_for(quality_manager)
        body = {"name": "API template", "area": "invoicing", "sections": INVOICING_SECTIONS}
        response = api.post("/api/audit-templates/", body, format="json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["version"] == 1
        assert [section["title"] for section in created["sections"]] == [
            "Correctness",
            "Understandable",
        ]
        template = AuditTemplate.objects.get(pk=created["id"])
        audit = plan(branch=north, template=template, auditor=quality_manager)
        api.post(f"/api/audits/{audit.pk}/answers/", {"answers": []}, format="json")
        body["sections"] = INVOICING_SECTIONS[:1]
        updated = api.put(f"/api/audit-templates/{template.pk}/", body, format="json")
        assert updated.status_code == 200, updated.content
        assert updated.json()["version"] == 2
        assert ids(api.get("/api/audit-templates/?area=invoicing")) == [template.pk]

    @pytest.mark.parametrize(
        ("sections", "field"),
        [
            ([{"title": "M", "items": [{"text": "x", "kind": "measured"}]}], "sections"),
            ([{"title": "M", "items": [{"text": "x", "kind": "nonsense"}]}], "sections"),
            ([{"title": "M", "items": [{"text": "x", "weight": 99}]}], "sections"),
            ("not a list", "sections"),
        ],
    )
    def test_bad_input_is_a_400(self, client_for, quality_manager, sections, field):
        response = client_for(quality_manager).post(
            "/api/audit-templates/",
            {"name": "Bad", "area": "sales", "sections": sections},
            format="json",
        )
        assert response.status_code == 400
        assert field in response.json() or "detail" in response.json()

    def test_sales_staff_cannot_write_templates(self, client_for, owner):
        api = client_for(owner)
        assert api.get("/api/audit-templates/").status_code == 403
        body = {"name": "x", "area": "sales", "sections": INVOICING_SECTIONS}
        assert api.post("/api/audit-templates/", body, format="json").status_code == 403


class TestAudits:
    def test_plan_answer_submit_sign_off(self, client_for, quality_manager, north):
        template = make_template()
        api = client_for(quality_manager)
        response = api.post(
            "/api/audits/",
            {"branch": north.pk, "template": template.pk, "due_on": due()},
            format="json",
        )
        assert response.status_code == 201, response.content
        audit_id = response.json()["id"]
        audit = template.audits.get()
        incomplete = api.post(f"/api/audits/{audit_id}/submit/")
        assert incomplete.status_code == 400
        assert len(incomplete.json()) == 4
        entries = [
            {"item": item_id, **values}
            for item_id, values in answers(audit, **GOOD | {"clarity": {"rating": 1}}).items()
        ]
        saved = api.post(f"/api/audits/{audit_id}/answers/", {"answers": entries}, format="json")
        assert saved.status_code == 200, saved.content
        assert saved.json()["status"] == AuditStatus.IN_PROGRESS
        submitted = api.post(f"/api/audits/{audit_id}/submit/")
        assert submitted.status_code == 200
        # Clarity 1 of weight 2 earns nothing: 6 of 8 = 75 %.
        assert submitted.json()["score"] == "75.0"
        signed = api.post(f"/api/audits/{audit_id}/sign-off/", {"note": "OK"}, format="json")
        assert signed.json()["status"] == AuditStatus.SIGNED_OFF
        again = api.post(f"/api/audits/{audit_id}/sign-off/", {}, format="json")
        assert again.status_code == 400
        locked = api.post(f"/api/audits/{audit_id}/answers/", {"answers": []}, format="json")
        assert locked.status_code == 400

    def test_validation(self, client_for, quality_manager, north, south):
        template = make_template()
        api = client_for(quality_manager)
        elsewhere = api.post(
            "/api/audits/", {"branch": south.pk, "template": template.pk, "due_on": due()}
        )
        assert elsewhere.status_code == 400
        assert "branch" in elsewhere.json()
        bad_date = api.post(
            "/api/audits/", {"branch": north.pk, "template": template.pk, "due_on": "soon"}
        )
        assert "due_on" in bad_date.json()
        audit = plan(branch=north, template=template, auditor=quality_manager)
        wrong_item = api.post(
            f"/api/audits/{audit.pk}/answers/",
            {"answers": [{"item": 999999, "met": True}]},
            format="json",
        )
        assert wrong_item.status_code == 400
        bad_rating = api.post(
            f"/api/audits/{audit.pk}/answers/",
            {"answers": [{"item": next(iter(answers(audit, clarity={}))), "rating": 8}]},
            format="json",
        )
        assert bad_rating.status_code == 400

    def test_scoping_and_roles(
        self, client_for, quality_manager, manager, owner, north, south_world
    ):
        template = make_template()
        north_audit = plan(branch=north, template=template, auditor=quality_manager)
        assert ids(client_for(fresh(manager)).get("/api/audits/")) == [north_audit.pk]
        assert (
            client_for(fresh(manager)).get(f"/api/audits/{south_world['audit'].pk}/").status_code
            == 404
        )
        body = {"branch": north.pk, "template": template.pk, "due_on": due()}
        assert client_for(fresh(manager)).post("/api/audits/", body).status_code == 403
        assert (
            client_for(fresh(manager)).post(f"/api/audits/{north_audit.pk}/submit/").status_code
            == 403
        )
        assert client_for(fresh(owner)).get("/api/audits/").status_code == 403


class TestFindingsAndActions:
    def test_lists_are_scoped(
        self, client_for, quality_manager, owner, colleague, north, south_world
    ):
        finding, action = finding_with_action(branch=north, by=quality_manager, owner=owner)
        assert ids(client_for(fresh(quality_manager)).get("/api/findings/")) == [finding.pk]
        assert ids(client_for(fresh(owner)).get("/api/findings/")) == [finding.pk]
        assert ids(client_for(fresh(owner)).get("/api/corrective-actions/")) == [action.pk]
        assert ids(client_for(fresh(colleague)).get("/api/findings/")) == []
        assert ids(client_for(fresh(colleague)).get("/api/corrective-actions/")) == []
        shown = client_for(fresh(quality_manager)).get(f"/api/findings/{finding.pk}/").json()
        assert [row["id"] for row in shown["actions"]] == [action.pk]

    def test_record_a_finding(self, client_for, quality_manager, north, south):
        api = client_for(quality_manager)
        body = {"branch": north.pk, "area": "warehouse", "title": "Oil on the floor"}
        created = api.post("/api/findings/", body, format="json")
        assert created.status_code == 201, created.content
        assert created.json()["severity"] == "major"
        assert api.post("/api/findings/", body | {"branch": south.pk}).status_code == 400
        assert api.post("/api/findings/", body | {"area": "moon"}).status_code == 400
        assert api.post("/api/findings/", body | {"title": ""}).status_code == 400

    def test_assign_complete_verify_reopen(
        self, client_for, quality_manager, owner, colleague, outsider, north
    ):
        finding, _first = finding_with_action(branch=north, by=quality_manager, owner=owner)
        qm = client_for(fresh(quality_manager))
        body = {
            "finding": finding.pk,
            "owner": colleague.pk,
            "description": "Retrain",
            "due_on": due(),
        }
        created = qm.post("/api/corrective-actions/", body, format="json")
        assert created.status_code == 201, created.content
        action_id = created.json()["id"]
        assert qm.post("/api/corrective-actions/", body | {"owner": outsider.pk}).status_code == 400
        assert qm.post("/api/corrective-actions/", body | {"due_on": due(-2)}).status_code == 400
        assert qm.post("/api/corrective-actions/", body | {"finding": 0}).status_code == 400
        # Only the owner completes; the evidence is required.
        assert (
            client_for(fresh(owner))
            .post(f"/api/corrective-actions/{action_id}/complete/", {"note": "x"})
            .status_code
            == 404
        )
        colleague_api = client_for(fresh(colleague))
        assert (
            colleague_api.post(f"/api/corrective-actions/{action_id}/complete/", {}).status_code
            == 400
        )
        done = colleague_api.post(
            f"/api/corrective-actions/{action_id}/complete/", {"note": "Done"}
        )
        assert done.json()["status"] == ActionStatus.COMPLETED
        assert (
            colleague_api.post(f"/api/corrective-actions/{action_id}/verify/", {}).status_code
            == 403
        )
        qm = client_for(fresh(quality_manager))
        assert qm.post(f"/api/corrective-actions/{action_id}/reopen/", {}).status_code == 400
        reopened = qm.post(f"/api/corrective-actions/{action_id}/reopen/", {"note": "Not yet"})
        assert reopened.json()["status"] == ActionStatus.OPEN
        assert reopened.json()["reopened_count"] == 1
        assert qm.post(f"/api/corrective-actions/{action_id}/verify/", {}).status_code == 400
        client_for(fresh(colleague)).post(
            f"/api/corrective-actions/{action_id}/complete/", {"note": "Now"}
        )
        verified = client_for(fresh(quality_manager)).post(
            f"/api/corrective-actions/{action_id}/verify/", {}
        )
        assert verified.json()["status"] == ActionStatus.VERIFIED


class TestClustersAndCampaigns:
    @pytest.fixture
    def cluster(self, north, quality_manager):
        wind = ComplaintCategoryFactory(name="Wind noise", code="t-wind-api")
        ClusterRule.objects.create(category=wind, threshold=3, window_days=60)
        car = model()
        for _number in range(3):
            ComplaintFactory(purchase=purchase_of(car, branch=north), category=wind)
        purchase_of(car, branch=north)
        UserFactory(roles=["service"], branches=[north])
        (found,) = campaign_services.detect_clusters()
        return found

    def test_clusters_are_scoped(self, client_for, quality_manager, outsider, cluster):
        listed = client_for(fresh(quality_manager)).get("/api/complaint-clusters/")
        assert ids(listed) == [cluster.pk]
        assert listed.json()["results"][0]["complaint_count"] == 3
        assert client_for(fresh(outsider)).get("/api/complaint-clusters/").status_code in {200, 403}
        south_qm = UserFactory(roles=["quality"], branches=[outsider.branches.get()])
        assert ids(client_for(fresh(south_qm)).get("/api/complaint-clusters/")) == []

    def test_a_campaign_from_a_cluster(self, client_for, quality_manager, manager, cluster):
        api = client_for(fresh(quality_manager))
        created = api.post(
            "/api/campaigns/",
            {"name": "Seal", "reference": "WN-API", "cluster": cluster.pk},
            format="json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["affected"], body["planned"], body["contacted"]) == (1, 1, 0)
        assert ids(client_for(fresh(manager)).get("/api/campaigns/")) == [body["id"]]
        api = client_for(fresh(quality_manager))
        again = api.post(
            "/api/campaigns/", {"name": "x", "reference": "WN-API", "cluster": cluster.pk}
        )
        assert again.status_code == 400
        assert api.post("/api/campaigns/", {"name": "x", "reference": "R-2"}).status_code == 400
        assert (
            api.post(
                "/api/campaigns/",
                {"name": "x", "reference": "not a slug!", "product": cluster.product_id},
            ).status_code
            == 400
        )
        assert (
            client_for(fresh(manager))
            .post(
                "/api/campaigns/", {"name": "x", "reference": "M-1", "product": cluster.product_id}
            )
            .status_code
            == 403
        )
