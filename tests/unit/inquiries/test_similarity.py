"""Which questions count as 'the same question' (offered to join instead of asking again)."""

from __future__ import annotations

import pytest

from tracker.inquiries.services import SIMILARITY, similarity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hvornår skifter KMD Nexus til NSIS?", "hvornår skifter kmd nexus til nsis"),
        ("Hvilket sikringsniveau kræver Aula?", "Hvilket sikringsniveau kræver AULA for lærere?"),
        ("Hvornår kræver FMK niveau betydelig?", "Hvornår kræver FMK betydelig niveau?"),
    ],
)
def test_alike_questions(a: str, b: str) -> None:
    assert similarity(a, b) >= SIMILARITY


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hvornår skifter KMD Nexus til NSIS?", "Understøtter Nexus MitID Erhverv for vikarer?"),
        ("Hvilket sikringsniveau kræver Aula?", "Hvem er dataansvarlig for Aula-integrationen?"),
    ],
)
def test_different_questions(a: str, b: str) -> None:
    assert similarity(a, b) < SIMILARITY
