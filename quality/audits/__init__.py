"""Quality audits (docs/domain.md, "Quality, not just messages"): versioned audit templates per
business area on the shared checklist (quality.checklists), the yearly plan per branch and area,
audits carried out and signed off, invoice and customer-communication samples, findings and
their corrective actions with reminders and escalation, and the quality dashboard."""
