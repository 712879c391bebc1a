"""Issue 16, item 3: every file is bounded before and while it is parsed, and whatever a
parser raises becomes a message about the file: the page answers 200 with it, the command
stops with it, nothing is imported. The bounds are lowered in a test where a file at the
real bound would make the test slow; the check is the same."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape
from openpyxl import Workbook

from customers.models import Customer
from imports import reading
from imports.services import ImportFileError, import_run
from imports.tests.xlsx import HEADER, cell, row, sheet, xlsx

pytestmark = pytest.mark.django_db
URL = "/configuration/import/"
UNREADABLE_XLSX = "This is not a readable XLSX file."


def huge_dimension(monkeypatch):
    """1.6 KB declaring A1:XFD1048576, with one value in its last cell: openpyxl padded
    every row to the declared width until the memory ran out."""
    rows = HEADER + row(2, cell("A2", "X1"), cell("B2", "Iks"))
    rows += row(1048576, cell("XFD1048576", "x"))
    content = xlsx(sheet(rows, dimension="A1:XFD1048576"))
    assert len(content) < 2000
    return "c.xlsx", content, "Row 1048576 has values past column AX: at most 50 columns."


def unpacked_too_much(monkeypatch):
    monkeypatch.setattr(reading, "XLSX_MAX_UNPACKED_BYTES", 100 * 1024)
    rows = HEADER + "".join(
        row(n, cell(f"A{n}", f"X{n}"), cell(f"B{n}", f"Name {n}")) for n in range(2, 2000)
    )
    return "c.xlsx", xlsx(sheet(rows)), "The XLSX file unpacks to "  # 246 KB


def packed_too_well(monkeypatch):
    """A bomb in small: the same row again and again packs far better than a sheet."""
    monkeypatch.setattr(reading, "XLSX_RATIO_FROM_BYTES", 64 * 1024)
    same = '<row><c t="inlineStr"><is><t>X1</t></is></c></row>'
    return "c.xlsx", xlsx(sheet(HEADER + same * 5000)), "The XLSX file is packed "


def too_slow(monkeypatch):
    monkeypatch.setattr(reading, "MAX_READ_SECONDS", 0)
    content = "code,name\n" + "".join(f"X{n},Name\n" for n in range(300))
    return "c.csv", content.encode(), "Reading the file took longer than 0 seconds"


def too_many_rows(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    return "c.csv", b"code,name\nX1,A\nX2,B\nX3,C\nX4,D\n", "At most 3 rows per file."


def too_many_columns(monkeypatch):
    content = "code,name\nX1,Iks" + "," * 60 + "z\n"
    return "c.csv", content.encode(), "Row 2 has values past column AX: at most 50 columns."


def cell_past_csv_limit(monkeypatch):
    """Python's csv refuses a field over 131,072 characters with csv.Error: was a 500."""
    content = "code,name\nX1," + "a" * 200_000 + "\n"
    return "c.csv", content.encode(), "Row 2: a cell is longer than 131072 characters."


def cell_past_own_limit(monkeypatch):
    """The reader's own bound, below csv's here so that it is the one reached."""
    monkeypatch.setattr(reading, "MAX_CELL_CHARS", 32_767)
    content = "code,name\nX1," + "a" * 40_000 + "\n"
    return (
        "c.csv",
        content.encode(),
        "Row 2, column B: the cell has 40000 characters, at most 32767.",
    )


def nul_byte(monkeypatch):
    return "c.csv", b"code,name\nX1,I\x00ks\n", "The file contains NUL characters"


def not_utf8(monkeypatch):
    return "c.csv", b"code,name\nX1,\xff\xfe\n", "Save the CSV file as UTF-8."


def not_a_zip(monkeypatch):
    return "c.xlsx", b"code,name\nX1,Iks\n", UNREADABLE_XLSX


def truncated(monkeypatch):
    book = Workbook()
    book.active.append(["code", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    return "c.xlsx", buffer.getvalue()[:3000], UNREADABLE_XLSX


def member_missing(monkeypatch):
    return "c.xlsx", xlsx(sheet(HEADER), without="xl/workbook.xml"), UNREADABLE_XLSX


def member_corrupt(monkeypatch):
    """The sheet's bytes changed after packing: zipfile fails its CRC while openpyxl is
    already iterating (outside the old try)."""
    content = xlsx(sheet(HEADER + row(2, cell("A2", "X1"), cell("B2", "Iks"))), stored=True)
    assert content.count(b"Iks") == 1
    return "c.xlsx", content.replace(b"Iks", b"Ikz"), UNREADABLE_XLSX


def sheet_not_xml(monkeypatch):
    broken = sheet(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>X1</is></row>')
    return "c.xlsx", xlsx(broken), UNREADABLE_XLSX


def billion_laughs(monkeypatch):
    """Entities that expand to 10**9 "lol": expat (2.4.1 and newer) stops them itself."""
    entities = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    rows = row(1, cell("A1", "code"), cell("B1", "&a9;"))
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    return "c.xlsx", xlsx(sheet(rows, doctype=doctype)), UNREADABLE_XLSX


CASES = [
    huge_dimension,
    unpacked_too_much,
    packed_too_well,
    too_slow,
    too_many_rows,
    too_many_columns,
    cell_past_csv_limit,
    cell_past_own_limit,
    nul_byte,
    not_utf8,
    not_a_zip,
    truncated,
    member_missing,
    member_corrupt,
    sheet_not_xml,
    billion_laughs,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_page_answers_the_file_message_and_imports_nothing(case, monkeypatch, admin_client):
    name, content, message = case(monkeypatch)
    response = admin_client.post(
        URL, {"kind": "customers", "action": "check", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert response.context["report"] is None and response.context["pending"] is None
    assert not Customer.objects.exists()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_command_stops_with_the_file_message_and_imports_nothing(case, monkeypatch, tmp_path):
    name, content, message = case(monkeypatch)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_data", "customers", str(path), "--commit")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("case", "polish"),
    [
        (huge_dimension, "Wiersz 1048576 ma wartości za kolumną AX: najwyżej 50 kolumn."),
        (cell_past_csv_limit, "Wiersz 2: komórka jest dłuższa niż 131072 znaków."),
        (member_corrupt, "Nie można odczytać tego pliku XLSX."),
    ],
    ids=lambda value: getattr(value, "__name__", "pl"),
)
def test_the_message_is_in_polish_for_a_polish_user(case, polish, monkeypatch, admin_client):
    admin_client.cookies["django_language"] = "pl"
    name, content, _message = case(monkeypatch)
    response = admin_client.post(
        URL, {"kind": "customers", "action": "check", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert escape(polish) in response.content.decode()


def test_command_refuses_a_file_over_the_size_limit_before_reading_it(tmp_path):
    path = tmp_path / "c.csv"
    with path.open("wb") as file:
        file.truncate(reading.MAX_FILE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(CommandError, match="larger than 10 MB"):
        call_command("import_data", "customers", str(path))


def test_service_refuses_content_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    with pytest.raises(ImportFileError, match="larger than"):
        import_run(kind="customers", content=b"code,name\nX1,Iks\n", filename="c.csv")


@pytest.mark.parametrize(
    "newline", ["\r", "\n", "\r\n", "mixed"], ids=["cr", "lf", "crlf", "mixed"]
)
def test_csv_rows_are_read_with_any_line_ending(newline):
    """CR-only (old Mac Excel) and mixed endings were a csv.Error, so a 500."""
    ends = ["\r\n", "\r", "\n", "\n"] if newline == "mixed" else [newline] * 4
    content = (
        f"code,name,address{ends[0]}X1,Iks,{ends[1]}"
        f'X2,Igrek,"ul. Długa 1{ends[2]}Warszawa"{ends[3]}X3,Zet,'
    ).encode()
    report = import_run(kind="customers", content=content, filename="c.csv", commit=True)
    assert report.committed and report.rows == 3
    assert set(Customer.objects.values_list("code", flat=True)) == {"X1", "X2", "X3"}
    assert Customer.objects.get(code="X2").address == f"ul. Długa 1{ends[2]}Warszawa"


def test_empty_rows_keep_their_numbers_and_trailing_ones_do_not_count(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    content = b"code,name\nX1,\n\nX3,\n" + b"\n" * 100
    report = import_run(kind="customers", content=content, filename="c.csv")
    assert [bad.row for bad in report.bad_rows] == [2, 4]


def test_xlsx_is_read_past_its_declared_dimension_and_empty_rows_at_its_end(monkeypatch):
    """The declared dimension is not trusted either way: it said A1:B2 and openpyxl
    stopped at row 2, dropping the rows after it without a word."""
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = HEADER + "".join(row(n, cell(f"A{n}", f"X{n}"), cell(f"B{n}", "N")) for n in (2, 3, 4))
    rows += "".join(f'<row r="{n}"/>' for n in range(5, 200))
    report = import_run(
        kind="customers", content=xlsx(sheet(rows, dimension="A1:B2")), filename="c.xlsx"
    )
    assert report.ok and report.rows == 3


def test_the_cell_bound_is_above_every_column_limit():
    """A value over its column's limit gets that field's message, not the file's."""
    from django.apps import apps

    from imports.reading import MAX_CELL_CHARS

    longest = max(
        field.max_length or 0
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "max_length", None)
    )
    assert longest < MAX_CELL_CHARS
