"""The quality app's tables in the personal-data registry (customers.personal_data)."""

from customers.personal_data import register
from quality.models import (
    CampaignContact,
    ClusterComplaint,
    CommunicationSample,
    Complaint,
    ComplaintAttachment,
    ComplaintCorrection,
    ComplaintEvent,
    DissonanceScore,
    DissonanceSignal,
    InvoiceSample,
    SignalMonth,
)

register(Complaint, path="customer")
register(ComplaintEvent, path="complaint__customer")
# Why a complaint was corrected is said in words that may quote the customer.
register(ComplaintCorrection, path="complaint__customer", blank=("reason",))
# What the customer sent (photos, letters) goes with its files.
register(ComplaintAttachment, path="complaint__customer", delete=True)
register(ClusterComplaint, path="complaint__customer")
register(DissonanceSignal, path="customer")
register(DissonanceScore, path="customer")
# The dashboard trend's counts per customer and month: numbers only, kept as the signals are.
register(SignalMonth, path="customer")
register(CommunicationSample, path="customer")
register(InvoiceSample, path="purchase__customer")
register(CampaignContact, path="customer")
