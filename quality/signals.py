"""What the quality app announces (for the staff app: a complaint about staff attention, recorded
or corrected to be one)."""

from django.dispatch import Signal

# complaint: a new Complaint
complaint_recorded = Signal()

# complaint: the corrected Complaint; correction: its new ComplaintCorrection (what changed)
complaint_corrected = Signal()
