"""Fixtures for the scraper tests: the saved pages and the solutions the app would pass in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scrapers.base import SolutionRef

PAGES = Path(__file__).parent / "pages"


@pytest.fixture
def solutions() -> list[SolutionRef]:
    """The starter registry's solutions with the aliases a coordinator would enter."""
    return [
        SolutionRef("fmk", ("FMK", "Fælles Medicinkort")),
        SolutionRef("aula", ("Aula",)),
        SolutionRef("kmd-nexus", ("KMD Nexus", "Nexus")),
        SolutionRef("virk-dk", ("virk.dk", "Virk")),
        SolutionRef("sundhed-dk", ("sundhed.dk",)),
        SolutionRef("serviceplatformen", ("Serviceplatformen",)),
    ]


@pytest.fixture
def page() -> Callable[[str], str]:
    """Read a saved page as the fetcher would hand it over (undecodable bytes replaced)."""

    def read(name: str) -> str:
        return (PAGES / name).read_bytes().decode("utf-8", errors="replace")

    return read
