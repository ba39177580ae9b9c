from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aftersales.models import Branch, User
from aftersales.roles import Role

DEMO_PASSWORD = "aftersales-demo"  # noqa: S105 (development only; refused when DEBUG is off)

DEMO_BRANCHES = [
    {
        "code": "MUC",
        "name": "Autohaus München Nord",
        "street": "Ingolstädter Str. 120",
        "postcode": "80939",
        "city": "München",
        "time_zone": "Europe/Berlin",
        "holiday_region": "DE-BY",
    },
    {
        "code": "VIE",
        "name": "Autohaus Wien Süd",
        "street": "Triester Str. 200",
        "postcode": "1230",
        "city": "Wien",
        "country": "AT",
        "time_zone": "Europe/Vienna",
        "holiday_region": "AT-9",
    },
]

# username, first name, last name, roles, branch codes, language
DEMO_USERS = [
    ("admin", "Anna", "Admin", [Role.ADMIN], ["MUC", "VIE"], "en"),
    ("manager", "Martin", "Maier", [Role.MANAGER], ["MUC", "VIE"], "de"),
    ("sales", "Sabine", "Schulz", [Role.SALES], ["MUC"], "de"),
    ("sales2", "Stefan", "Gruber", [Role.SALES], ["VIE"], "de"),
    ("service", "Sven", "Wagner", [Role.SERVICE], ["MUC"], "de"),
    ("quality", "Greta", "Qualitz", [Role.QUALITY], ["MUC", "VIE"], "en"),
    ("shopper", "Tessa", "Tester", [Role.MYSTERY_SHOPPER], [], "en"),
]


class Command(BaseCommand):
    help = "Load demo branches and one login per role (development only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only; refusing to run with DEBUG off.")
        if Branch.objects.filter(code=DEMO_BRANCHES[0]["code"]).exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        with transaction.atomic():
            branches = {data["code"]: Branch.objects.create(**data) for data in DEMO_BRANCHES}
            groups = {group.name: group for group in Group.objects.all()}
            for username, first, last, roles, codes, language in DEMO_USERS:
                user = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.aftersales.local",
                    language=language,
                    is_staff=Role.ADMIN in roles,
                    is_superuser=Role.ADMIN in roles,
                )
                user.groups.set([groups[role] for role in roles])
                user.branches.set([branches[code] for code in codes])
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
