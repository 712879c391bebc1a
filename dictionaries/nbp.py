"""Readers of the exchange-rate files of the National Bank of Poland (NBP), table A.

Two forms of the same table of average rates are read:

- JSON, as api.nbp.pl answers `/api/exchangerates/tables/A/...`: a list of tables, each
  `{"table": "A", "no": "001/A/NBP/2026", "effectiveDate": "2026-01-02",
  "rates": [{"currency": "euro", "code": "EUR", "mid": 4.2205}, ...]}`; `mid` is per ONE
  unit of the currency.
- CSV, as in NBP's yearly archive `archiwum_tab_a_<year>.csv`: semicolon-separated, a
  header row `data;1THB;1USD;...;100JPY;...` whose codes carry the number of units the
  rate is quoted for, a row of currency names, then one row per day (`20260102;...`) with
  decimal commas; trailing columns hold the table number, and footer rows describe the
  columns. Anything that is not a day row is ignored. The archive is encoded in
  Windows-1250; UTF-8 files are read too.

Both give `RateRow`s per ONE unit (a 100JPY rate is divided by 100), as `Decimal`: the
JSON numbers are parsed as decimals, never as floats.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dictionaries.services import RateRow

HEADER_CODE = re.compile(r"^\s*(\d+)\s*([A-Z]{3})\s*$")
DAY = re.compile(r"^\s*(\d{8}|\d{4}-\d{2}-\d{2})\s*$")


class RateFileError(ValueError):
    """The file is not an NBP table A file in a form this reader knows."""


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RateFileError("The file is neither UTF-8 nor Windows-1250 text.")


def parse_json(text: str, *, source: str = "NBP") -> list[RateRow]:
    try:
        tables = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise RateFileError(f"Not valid JSON: {exc}") from exc
    if isinstance(tables, dict):
        tables = [tables]
    rows: list[RateRow] = []
    for table in tables:
        try:
            on = date.fromisoformat(table["effectiveDate"])
            label = f"{source} {table.get('no', '')}".strip()
            for rate in table["rates"]:
                rows.append(RateRow(str(rate["code"]).upper(), on, Decimal(rate["mid"]), label))
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise RateFileError(f"Not an NBP table A JSON document: {exc!r}") from exc
    return rows


def _day(text: str) -> date:
    text = text.strip()
    if "-" in text:
        return date.fromisoformat(text)
    return datetime.strptime(text, "%Y%m%d").date()


def parse_csv(text: str, *, source: str = "NBP") -> list[RateRow]:
    lines = [line.rstrip("\r") for line in text.splitlines()]
    columns: dict[int, tuple[str, int]] | None = None
    number_column: int | None = None
    rows: list[RateRow] = []
    for line in lines:
        cells = [c.strip().strip('"') for c in line.split(";")]
        if columns is None:
            if cells and cells[0].lower() == "data":
                columns = {}
                for index, cell in enumerate(cells[1:], start=1):
                    match = HEADER_CODE.match(cell)
                    if match:
                        columns[index] = (match.group(2), int(match.group(1)))
                    elif cell.lower().startswith("nr tabeli") and number_column is None:
                        number_column = index
                if not columns:
                    raise RateFileError("The header row names no currency (e.g. 1EUR).")
            continue
        if not cells or not DAY.match(cells[0]):
            continue  # the row of names, footers, empty lines
        try:
            on = _day(cells[0])
        except ValueError as exc:
            raise RateFileError(f"Not a date: {cells[0]!r}") from exc
        number = (
            cells[number_column] if number_column is not None and number_column < len(cells) else ""
        )
        label = f"{source} {number}".strip()
        for index, (code, units) in columns.items():
            value = cells[index].replace("\xa0", "").replace(" ", "") if index < len(cells) else ""
            if not value:
                continue
            try:
                rate = Decimal(value.replace(",", "."))
            except InvalidOperation as exc:
                raise RateFileError(f"Not a rate on {on}: {value!r} ({code})") from exc
            rows.append(RateRow(code, on, rate / units, label))
    if columns is None:
        raise RateFileError("No header row starting with 'data' was found.")
    return rows


def read_rate_file(path: Path) -> list[RateRow]:
    """The rates of a JSON or CSV file, told apart by content, not by name."""
    text = _decode(Path(path).read_bytes())
    if text.lstrip().startswith(("[", "{")):
        return parse_json(text)
    return parse_csv(text)
