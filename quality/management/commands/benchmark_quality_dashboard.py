"""Time the quality dashboard (aftersales.benchmarks.PageBenchmarkCommand).

manage.py benchmark_quality_dashboard --requests 30 --user quality
manage.py benchmark_quality_dashboard --query "branch=1"
"""

from aftersales.benchmarks import PageBenchmarkCommand
from customers.models import Customer
from quality.models import Audit, Complaint, CorrectiveAction, Finding, ProductComplaintFigures


class Command(PageBenchmarkCommand):
    help = (
        "Render the quality dashboard repeatedly through Django's test client and print the "
        "median and 95th percentile time and the number of queries."
    )
    page_name = "quality dashboard"
    url_name = "quality:qm-dashboard"
    permission = "quality.view_quality_dashboard"
    default_user = "quality"
    target_p95_ms = 150

    def describe_data(self):
        return (
            f"{Customer.objects.count():,} customers, {Complaint.objects.count():,} "
            f"complaints, {Audit.objects.count():,} audits, {Finding.objects.count():,} "
            f"findings, {CorrectiveAction.objects.count():,} corrective actions, "
            f"{ProductComplaintFigures.objects.count():,} product figures."
        )
