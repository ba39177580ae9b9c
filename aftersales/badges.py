"""The colour of a state's badge.

Each model declares its palette (state → Bootstrap badge class) next to its states, as
`STATUS_BADGES`; templates render `{{ object.status|badge:object.STATUS_BADGES }}`
(aftersales_tags), so which colour a state has is written in one place and no template spells out
an if/elif chain of states.
"""

NEUTRAL = "text-bg-secondary"


def badge_class(palette, state):
    """The badge class of a state in a palette (neutral grey for a state the palette lacks)."""
    return palette.get(state, NEUTRAL)
