"""Hiring: the aptitude assessment of candidates for customer-facing roles. Candidates (kept as
briefly as data protection requires), each assessor's independent ratings of the competencies on
the anchored scales (competencies.py), the combined view once one's own is in, and the decision."""
