"""The service history of vehicles: the visits of a car (service purchases naming it, with their
odometer readings), the work customers declined in the workshop, the estimated mileage today and
the maintenance schedules that say when the next service is due.

models (declined work, maintenance schedules; the vehicle and odometer columns are on Purchase),
mileage (the estimate, one SQL definition for pages, API and the offer rules), maintenance (the
next due service), services, selectors, forms, views, api.
"""
