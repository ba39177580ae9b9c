"""Laps: how long each step of an import took, for ``manage.py benchmark_import``."""

import time


class Laps:
    """Records into `timings` (ImportResult.timings) the seconds since the previous lap, or
    since it was made, under each lap's name."""

    def __init__(self, timings):
        self.timings = timings
        self.started = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.timings[name] = now - self.started
        self.started = now
