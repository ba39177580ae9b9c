"""manage.py import_purchases FILE [--dry-run] [--as USERNAME]

The command-line twin of the import page (format: docs/import-format.md). Every error is printed
with its row and column, and the command exits with status 1 when there is any; then nothing is
written. Without --as it acts as the system: all branches, no author recorded.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.errors import DomainError
from customers.importing import ImportRejected, import_purchases, preview_import


class Command(BaseCommand):
    help = _(
        "Import purchases with their customers from a dealer management system's CSV export "
        "(format: docs/import-format.md). All or nothing; importing a file again skips what "
        "was imported before."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("The CSV file."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only check the file and show what would be imported."),
        )
        parser.add_argument(
            "--as",
            dest="username",
            help=_("Import as this user: their permission and branches apply, and they are "
                   "recorded as the author."),
        )  # fmt: skip

    def handle(self, *args, file, dry_run, username, **options):
        user = None
        if username:
            try:
                user = get_user_model().objects.get(username=username, is_active=True)
            except get_user_model().DoesNotExist as missing:
                raise CommandError(
                    _("No active user has the username “%(username)s”.") % {"username": username}
                ) from missing
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        try:
            if dry_run:
                result = preview_import(data=data, by=user)
            else:
                result = import_purchases(data=data, by=user)
        except ImportRejected as rejected:
            result = rejected.result
        except DomainError as error:
            raise CommandError(error.message) from error

        for error in result.errors:
            self.stderr.write(str(error))
        summary = result.summary
        self.stdout.write(
            _(
                "%(rows)d rows. Customers: %(created)d new, %(updated)d updated, "
                "%(unchanged)d unchanged. Purchases: %(purchases)d new with %(lines)d lines, "
                "%(skipped)d skipped (imported before). Consent records: %(consents)d."
            )
            % {
                "rows": summary.rows,
                "created": summary.customers_created,
                "updated": summary.customers_updated,
                "unchanged": summary.customers_unchanged,
                "purchases": summary.purchases_created,
                "lines": summary.lines_created,
                "skipped": summary.purchases_skipped,
                "consents": summary.consents_recorded,
            }
        )
        if result.errors:
            count = len(result.errors)
            raise CommandError(
                ngettext(
                    "%(count)d error; nothing was imported.",
                    "%(count)d errors; nothing was imported.",
                    count,
                )
                % {"count": count}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
