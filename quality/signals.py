"""What the quality app announces (for the staff app: a complaint about staff attention)."""

from django.dispatch import Signal

# complaint: a new Complaint
complaint_recorded = Signal()
