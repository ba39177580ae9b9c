"""Helpers the benchmark commands share."""

import math


def percentile(values, share):
    """The nearest-rank percentile (share 0–1) of the values."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]
