"""Slugs keep every letter (Danish spelt out, other scripts transliterated, never empty); look-alike names are
refused (a word mixing scripts) or named (a homoglyph twin of an existing solution)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tracker.errors import Conflict, ValidationError
from tracker.registry.actors import SYSTEM
from tracker.registry.names import look_alike, mixed_word, slugify
from tracker.registry.services import create_solution, update_solution


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café Ñandú", "cafe-nandu"),
        ("Blåt Ærø Øst", "blaat-aeroe-oest"),
        ("København – Løn", "koebenhavn-loen"),
        ("Sundhed.dk", "sundhed-dk"),
        ("電子カルテ", "dian-zi-karute"),
        ("Ελληνικά", "ellenika"),
    ],
)
def test_slugs_keep_every_letter(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_a_name_with_nothing_to_spell_still_gets_a_stable_slug() -> None:
    first = slugify("😀 ✓")
    assert first.startswith("loesning-") and len(first) > len("loesning-")
    assert slugify("😀 ✓") == first and slugify("★") != first


def test_slugs_are_at_most_80_characters() -> None:
    assert len(slugify("Løsning " * 30)) <= 80


def test_mixed_scripts_and_homoglyph_twins() -> None:
    assert mixed_word("\u0410ula") == "\u0410ula"  # Cyrillic А + Latin ula
    assert mixed_word("Aula") is None and mixed_word("Аула") is None and mixed_word("Café Ñandú") is None
    assert look_alike("\u0410\u0443\u04cf\u0430", ["Aula", "FMK"]) is None  # Аул-а: not the same reading
    assert look_alike("\u0410ul\u0430", ["Aula"]) == "Aula"
    assert look_alike("Aula", ["Aula"]) is None and look_alike("AULA", ["Aula"]) is None


def test_the_registry_refuses_look_alike_names(app: Flask, session: Session) -> None:
    with pytest.raises(ValidationError) as mixed:
        create_solution(session, actor=SYSTEM, slug=None, name="\u0410ula", fields={})
    assert "skriftsystemer" in mixed.value.message
    with pytest.raises(ValidationError):
        create_solution(session, actor=SYSTEM, slug="aula-kopi", name="\u0391\u03a5LA", fields={})  # Greek ΑΥ
    create_solution(session, actor=SYSTEM, slug=None, name="Topex", fields={})
    with pytest.raises(Conflict) as twin:  # all Cyrillic, one script, yet it reads "Topex"
        create_solution(session, actor=SYSTEM, slug="topex-2", name="\u0422\u043e\u0440\u0435\u0445", fields={})
    assert "Topex" in twin.value.message
    created = create_solution(session, actor=SYSTEM, slug=None, name="Café Ñandú", fields={})
    assert created.slug == "cafe-nandu"
    japanese = create_solution(session, actor=SYSTEM, slug=None, name="電子カルテ", fields={})
    assert japanese.slug == "dian-zi-karute"
    with pytest.raises(ValidationError):
        update_solution(session, created, {"name": "Caf\u0435 Nandu"}, actor=SYSTEM)  # Cyrillic е
