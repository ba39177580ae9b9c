"""Role permissions for quality audits, findings, corrective actions, clusters and campaigns, and
the demo cluster rule (three wind-noise complaints on one product within 60 days)."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions


def _crud(model, *verbs):
    return [f"quality.{verb}_{model}" for verb in verbs]


QUALITY_MANAGER = [
    *_crud("audittemplate", "view", "add", "change"),
    *_crud("audit", "view", "add", "change"),
    "quality.sign_off_audit",
    "quality.view_quality_dashboard",
    *_crud("invoicesample", "view", "add", "change", "delete"),
    *_crud("communicationsample", "view", "add", "change"),
    *_crud("auditphoto", "view", "add"),
    *_crud("finding", "view", "add", "change"),
    *_crud("correctiveaction", "view", "add", "change"),
    "quality.verify_correctiveaction",
    *_crud("complaintcluster", "view", "change"),
    *_crud("campaign", "view", "add", "change"),
]
# Whoever owns a corrective action sees and completes it (scoped to their own in the selectors).
ACTION_OWNER = ["quality.view_finding", *_crud("correctiveaction", "view", "change")]
ROLE_PERMISSIONS = {
    "admin": [*QUALITY_MANAGER, *_crud("clusterrule", "view", "add", "change", "delete")],
    "quality": QUALITY_MANAGER,
    "manager": [
        *ACTION_OWNER,
        "quality.view_audittemplate",
        "quality.view_audit",
        "quality.view_invoicesample",
        "quality.view_communicationsample",
        "quality.view_auditphoto",
        "quality.view_quality_dashboard",
        "quality.view_complaintcluster",
        "quality.view_campaign",
    ],
    "sales": ACTION_OWNER,
    "service": ACTION_OWNER,
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    Category = apps.get_model("quality", "ComplaintCategory")
    Rule = apps.get_model("quality", "ClusterRule")
    wind = Category.objects.filter(code="noise-wind").first()
    if wind is not None:
        Rule.objects.get_or_create(category=wind, defaults={"threshold": 3, "window_days": 60})


class Migration(migrations.Migration):
    dependencies = [("quality", "0007_audits_and_campaigns")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
