"""People: each branch's staff policy and the roles that meet customers, appointments with
customers and their punctuality, training (the course catalogue, what each role requires,
records and certificates, compliance and its reminders) and coaching actions, whichever domain
opens them. figures.py holds the punctuality and compliance figures the pages and the scorecards
read."""
