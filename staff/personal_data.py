"""The staff app's tables in the personal-data registry (customers.personal_data)."""

from customers.personal_data import register
from staff.models import Appointment, CoachingAction

register(Appointment, path="customer")
# A coaching action that grew from a complaint may name its customer in goal or measures.
register(CoachingAction, path="complaint__customer")
