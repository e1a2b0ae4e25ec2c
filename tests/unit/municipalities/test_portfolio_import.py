"""Reading a file of solution names and matching them to the registry (name, slug, aliases; suggestions)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from tracker.errors import AppError
from tracker.municipalities.imports import ImportedName, match, read_names


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_with_a_named_column_and_semicolons() -> None:
    data = "Leverandør;Løsning\nKMD;KMD Nexus\nNetcompany; Aula \n;\nKMD;kmd nexus\n".encode()
    assert read_names("liste.csv", data) == [ImportedName("KMD Nexus", 2), ImportedName("Aula", 3)]


def test_csv_without_a_header_uses_the_first_column_and_every_row() -> None:
    assert [n.text for n in read_names("x.csv", b"FMK,1\nAula,2\n")] == ["FMK", "Aula"]


def test_windows_1252_csv_from_danish_excel() -> None:
    data = "Navn\nFælles Medicinkort\n".encode("cp1252")
    assert [n.text for n in read_names("x.csv", data)] == ["Fælles Medicinkort"]


def test_xlsx_with_the_name_column_second() -> None:
    data = _xlsx([["Nr", "Name"], [1, "virk.dk"], [2, None], [3, "Serviceplatformen"]])
    assert [(n.text, n.row) for n in read_names("portefølje.xlsx", data)] == [("virk.dk", 2), ("Serviceplatformen", 4)]


@pytest.mark.parametrize(
    ("filename", "data", "status"),
    [
        ("tom.csv", b"", 422),
        ("blank.csv", b"  \n\n ", 422),
        ("kun-overskrift.csv", "Løsning\n".encode(), 422),
        ("rapport.pdf", b"%PDF-1.7 ...", 415),
        ("billede.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", 415),
        ("ødelagt.xlsx", b"PK\x03\x04 not really a zip", 422),
        ("forklædt.xlsx", b"Aula\nFMK\n", 422),
        ("stor.csv", b"a\n" * 600_000, 413),
        ("mange.csv", b"a\n" * 6_000, 413),
    ],
)
def test_bad_files_are_refused_in_danish(filename: str, data: bytes, status: int) -> None:
    with pytest.raises(AppError) as caught:
        read_names(filename, data)
    assert caught.value.status == status
    assert caught.value.message and caught.value.message[0].isupper()


def test_matching_by_name_slug_alias_ignoring_case_and_spacing(session: Session) -> None:
    names = [
        ImportedName(t, i)
        for i, t in enumerate(
            ["aula", "FMK  Online", "kmd-nexus", "SUNDHED.DK", "Nexsus", "Et helt ukendt system"], start=1
        )
    ]
    matched, unmatched = match(session, names)
    assert [(n.text, s.slug) for n, s in matched] == [
        ("aula", "aula"),
        ("FMK  Online", "fmk"),
        ("kmd-nexus", "kmd-nexus"),
        ("SUNDHED.DK", "sundhed-dk"),
    ]
    suggestions = {n.text: [s.slug for s in found] for n, found in unmatched}
    assert suggestions["Nexsus"][0] == "kmd-nexus"
    assert suggestions["Et helt ukendt system"] == []
