"""`manage.py import_rates FILE...`: NBP table A rates (JSON or CSV) into the rate table.

Idempotent: importing the same file twice changes nothing; a rate that differs from the
stored one is updated and logged. Currencies that are not configured are skipped with a
note. Everything is one transaction: a file that cannot be read leaves the table as it was.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dictionaries.nbp import RateFileError, read_rate_file
from dictionaries.services import exchange_rates_import


class Command(BaseCommand):
    help = "Imports exchange rates from NBP table A files (api.nbp.pl JSON or archive CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="JSON or CSV files.")

    def handle(self, *args, files: list[str], **options) -> None:
        rows = []
        for name in files:
            path = Path(name)
            try:
                read = read_rate_file(path)
            except OSError as exc:
                raise CommandError(f"{name}: {exc.strerror or exc}") from exc
            except RateFileError as exc:
                raise CommandError(f"{name}: {exc}") from exc
            self.stdout.write(f"{name}: {len(read)} rates read.")
            rows.extend(read)
        result = exchange_rates_import(rows=rows)
        for code, on, before, after in result.changes:
            self.stdout.write(
                f"Updated {code} {on.isoformat()}: {before.normalize()} -> {after.normalize()}"
            )
        if result.unknown:
            listed = ", ".join(f"{code} ({n})" for code, n in sorted(result.unknown.items()))
            self.stdout.write(f"Skipped, not a configured currency: {listed}.")
        if result.base_skipped:
            self.stdout.write(f"Skipped {result.base_skipped} rates of the base currency itself.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rates: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
