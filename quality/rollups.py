"""The dissonance dashboard's roll-ups, kept by triggers (aftersales.rollup_triggers; migrations
quality 0016–0018) and rebuilt each night: signals per month and customer (SignalMonth) and
per month and branch (SignalBranchMonth) for the trend, complaints per day (ComplaintDay) for
the trend, the top complaint categories and the staff scorecards."""

from aftersales import rollup_triggers


def rebuild():
    """The roll-ups again from the signals and complaints (the nightly tick), which also
    follows a category's changed involvement."""
    rollup_triggers.rebuild(
        "quality_signal_month", "quality_signalmonth", "quality_signalbranchmonth"
    )
    rollup_triggers.rebuild("quality_complaint_day", "quality_complaintday")
