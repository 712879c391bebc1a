"""Import (issue 8): a dry run lists every bad row with its number and per-column messages
and imports nothing until all rows are valid; through the staff page and the command."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from activities.models import Activity
from customers.models import ContactPerson, Customer
from customers.tests.factories import ContactPersonFactory, CustomerFactory
from employees.tests.factories import EmployeeFactory
from imports.services import import_run

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
URL = "/configuration/import/"

BAD_CUSTOMERS = (
    "code,name,tax_id,email\n"
    "A1,Alfa,,a@alfa.example\n"
    "A2,,,b@beta.example\n"  # row 3: no name
    "A3,Gamma,123,not-an-email\n"  # row 4: bad NIP and e-mail
    "A1,Alfa again,,\n"  # row 5: code twice
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_dry_run_lists_every_bad_row_and_imports_nothing():
    report = import_run(kind="customers", content=BAD_CUSTOMERS.encode(), filename="c.csv")
    assert report.rows == 4
    bad = {b.row: b.errors for b in report.bad_rows}
    assert set(bad) == {3, 4, 5}
    assert "name" in bad[3]
    assert set(bad[4]) == {"tax_id", "email"}
    assert "code" in bad[5]
    assert not Customer.objects.filter(code__startswith="A").exists()


def test_commit_with_one_bad_row_imports_nothing():
    report = import_run(
        kind="customers", content=BAD_CUSTOMERS.encode(), filename="c.csv", commit=True
    )
    assert not report.committed
    assert not Customer.objects.filter(code="A1").exists()


def test_valid_file_is_imported_only_when_committed():
    content = (SAMPLES / "customers.csv").read_bytes()
    dry = import_run(kind="customers", content=content, filename="customers.csv")
    assert dry.ok and not dry.committed
    assert not Customer.objects.filter(code="IMP001").exists()
    done = import_run(kind="customers", content=content, filename="customers.csv", commit=True)
    assert done.committed
    assert Customer.objects.get(code="IMP001").tax_id == "5260001246"


def test_samples_import_in_order(admin_user):
    EmployeeFactory(user=admin_user)
    admin_user.username = "demo"
    admin_user.save()
    for kind in ("customers", "contact_persons", "activities"):
        content = (SAMPLES / f"{kind}.csv").read_bytes()
        report = import_run(kind=kind, content=content, filename=f"{kind}.csv", commit=True)
        assert report.committed, report.bad_rows
    assert ContactPerson.objects.filter(customer__code="IMP001").count() == 1
    meeting = Activity.objects.get(subject="Oferta na 2027")
    assert str(meeting.expected_cost) == "120.50"
    assert meeting.contact_persons.get().last_name == "Kowalski"


def test_activities_go_through_the_rules_of_the_service():
    customer = CustomerFactory(code="K1")
    other = ContactPersonFactory(first_name="Obcy", last_name="Człowiek")  # another customer
    EmployeeFactory(email="anna@firma.example")
    content = (
        "subject,customer_code,contact_persons,employees,start,end,expected_cost\n"
        "Ok,K1,,anna@firma.example,2026-05-01 10:00,2026-05-01 09:00,-5\n"
        f"Two,K1,{other.full_name},nobody@firma.example,2026-05-01 10:00,,\n"
    ).encode()
    report = import_run(kind="activities", content=content, filename="a.csv", commit=True)
    bad = {b.row: b.errors for b in report.bad_rows}
    assert set(bad[2]) >= {"contact_persons", "end", "expected_cost"}
    assert set(bad[3]) >= {"contact_persons", "employees"}
    assert not Activity.objects.filter(customer=customer).exists()


def test_xlsx_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name"])
    sheet.append(["X1", "Iks"])
    sheet.append(["X2", None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_run(kind="customers", content=buffer.getvalue(), filename="c.xlsx")
    assert [b.row for b in report.bad_rows] == [3]


def test_page_is_for_crm_administrators_only(logged_in, user, client):
    """Importing activities for any employee is the administrator's job (issue 6): an
    employee gets 403 even with a staff flag; a member of "administrator" gets in."""
    from django.contrib.auth.models import Group

    from employees.tests.factories import UserFactory

    assert logged_in.get(URL).status_code == 403
    user.is_staff = True
    user.save()
    assert logged_in.get(URL).status_code == 403

    administrator = UserFactory(username="adm")
    administrator.groups.add(Group.objects.get(name="administrator"))
    client.force_login(administrator)
    assert client.get(URL).status_code == 200


def test_page_dry_run_shows_bad_rows_with_numbers(admin_client):
    response = admin_client.post(
        URL,
        {"kind": "customers", "action": "check", "file": upload("c.csv", BAD_CUSTOMERS.encode())},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert 'data-row="3"' in html and 'data-row="4"' in html and 'data-row="5"' in html
    assert 'id="import-confirm"' not in html
    assert not Customer.objects.filter(code="A1").exists()


def test_page_check_then_confirm_imports(admin_client):
    content = (SAMPLES / "customers.csv").read_bytes()
    check = admin_client.post(
        URL, {"kind": "customers", "action": "check", "file": upload("customers.csv", content)}
    )
    assert 'id="import-confirm"' in check.content.decode()
    assert not Customer.objects.filter(code="IMP001").exists()
    token = check.context["pending"]["token"]
    done = admin_client.post(URL, {"action": "confirm", "token": token})
    assert done.status_code == 302
    assert Customer.objects.filter(code__in=["IMP001", "IMP002"]).count() == 2
    # The same confirmation twice does nothing more.
    again = admin_client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert Customer.objects.filter(code="IMP001").count() == 1
    assert again.status_code == 200


def test_command_dry_run_and_commit(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CUSTOMERS, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_data", "customers", str(bad), "--commit")
    out = capsys.readouterr().out
    assert "row 3: name:" in out and "row 5: code:" in out
    assert not Customer.objects.filter(code="A1").exists()
    call_command("import_data", "customers", str(SAMPLES / "customers.csv"))
    assert not Customer.objects.filter(code="IMP001").exists()
    call_command("import_data", "customers", str(SAMPLES / "customers.csv"), "--commit")
    assert Customer.objects.filter(code="IMP001").exists()
