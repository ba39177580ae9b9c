"""What the follow-ups app announces (docs/architecture.md). Sent inside the service's
transaction."""

from django.dispatch import Signal

# followup, outcome (FollowUp.Outcome), by: a contact was completed
followup_completed = Signal()
# followup: a follow-up was never done by its deadline (a forgotten buyer is a dissonance risk)
followup_missed = Signal()
# response: a customer answered a satisfaction survey
survey_answered = Signal()
