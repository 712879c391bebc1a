"""manage.py import_data KIND FILE [--commit]: the import of the staff page, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.reading import MAX_FILE_BYTES, file_too_large_message
from imports.services import KINDS, ImportFileError, import_run


class Command(BaseCommand):
    help = (
        "Checks a CSV/XLSX file of customers, contact_persons or activities and lists every "
        "bad row; with --commit, imports it when every row is valid (otherwise nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="save when all rows are valid")

    def handle(self, *args, kind, file, commit, **options):
        try:
            if file.stat().st_size > MAX_FILE_BYTES:  # refused before it is read into memory
                raise CommandError(file_too_large_message())
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            report = import_run(kind=kind, content=content, filename=file.name, commit=commit)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for bad in report.bad_rows:
            for column, problems in bad.errors.items():
                for problem in problems:
                    self.stdout.write(f"row {bad.row}: {column}: {problem}")
        if not report.ok:
            raise CommandError(
                f"{len(report.bad_rows)} of {report.rows} rows are not valid; nothing imported."
            )
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"Imported {report.rows} rows."))
        else:
            self.stdout.write(f"All {report.rows} rows are valid (dry run; --commit to import).")
