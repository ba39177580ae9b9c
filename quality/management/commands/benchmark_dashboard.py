"""Time the dissonance dashboard (aftersales.benchmarks.PageBenchmarkCommand).

manage.py benchmark_dashboard --requests 30 --user manager
manage.py benchmark_dashboard --path "/dissonance/customers/" --query "level=all"
"""

from aftersales.benchmarks import PageBenchmarkCommand
from customers.models import Customer
from quality.models import Complaint, DissonanceScore, DissonanceSignal


class Command(PageBenchmarkCommand):
    help = (
        "Render the dissonance dashboard repeatedly through Django's test client and print the "
        "median and 95th percentile time and the number of queries."
    )
    page_name = "dissonance dashboard"
    url_name = "quality:dashboard"
    permission = "quality.view_dissonance_dashboard"
    default_user = "manager"
    target_p95_ms = 300

    def describe_data(self):
        return (
            f"{Customer.objects.count():,} customers, "
            f"{DissonanceSignal.objects.count():,} signals, {Complaint.objects.count():,} "
            f"complaints, {DissonanceScore.objects.filter(purchase__isnull=True).count():,} "
            f"customer scores."
        )
