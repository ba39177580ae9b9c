"""The follow-ups app's tables in the personal-data registry (customers.personal_data)."""

from customers.personal_data import register
from followups.models import ContactEvent, FollowUp, SurveyInvitation, SurveyResponse
from followups.offers.models import Offer

# What the customer said in their own words cannot be cleaned of what identifies them.
register(FollowUp, path="customer", blank=("concern",))
register(ContactEvent, path="customer")
register(SurveyInvitation, path="customer")
register(SurveyResponse, path="invitation__customer", blank=("comment",))
register(Offer, path="customer", blank=("decline_note",))
