"""Scorecards: one employee's and one branch's figures over a period, read together from the
other domains (mystery-shop results, punctuality, training compliance and coaching from staff,
complaints from quality, surveys and follow-up adherence from followups), with a comparison table
of a branch's customer-facing people and its CSV export. A read model only: no models of its own
and no writes."""
