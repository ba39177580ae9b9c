"""Cross-selling at the right moment (docs/domain.md, points 4 and 5): offer rules, the offers the
daily generation finds for them within the contact policy, the pipeline from suggestion to
decision, and the figures.

models (rules, offers, roll-ups), generation (set-based SQL per rule), services (the pipeline),
selectors, forms, views, api, urls, figures (read side of the figures page), rollups (kept by the
services and rebuilt nightly).
"""
