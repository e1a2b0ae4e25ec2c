"""Which word wins when a sentence has both a switch cue and a word that says the date is something else.

Written for two mutants that survived: a cue between a sending verb and the date must win over the sending
("udsendt en opgave med deadline …", mutant X3), and a rollout word nearer to the date than the cue must veto it
("skifter … i takt med at den nye app rulles ud fra oktober 2022", mutant X4).
"""

from __future__ import annotations

from scrapers import get_source
from scrapers.base import SolutionRef

URL = "https://example.dk/side"
REFS = [SolutionRef("serviceplatformen", ("Serviceplatformen",)), SolutionRef("meebook", ("Meebook",))]


def _facts(body: str) -> list[tuple[str | None, str, str, str | None, str]]:
    html = f"<html lang='da'><body><main>{body}</main></body></html>"
    return [(o.solution_slug, o.field, o.value, o.latest, o.cue) for o in get_source("watch").parse(html, URL, REFS)]


def test_a_deadline_after_the_sending_is_a_switch_date() -> None:
    body = "<p>KOMBIT har udsendt en opgave om Serviceplatformen med deadline 1. marts 2027.</p>"
    assert _facts(body) == [("serviceplatformen", "switch_date", "2027-03-01", "2027-03-01", "deadline")]


def test_the_sending_itself_is_not_a_switch_date() -> None:
    assert _facts("<p>KOMBIT har udsendt en opgave om Serviceplatformen den 3. maj 2024.</p>") == []


def test_a_rollout_nearer_the_date_than_the_cue_vetoes_it() -> None:
    body = "<p>Meebook skifter login i takt med at den nye app rulles ud fra oktober 2022.</p>"
    assert _facts(body) == []


def test_the_cue_nearer_the_date_than_a_rollout_wins() -> None:
    body = "<p>Meebook blev rullet ud i 2019, men skifter til NSIS den 1. marts 2027.</p>"
    assert [f[:3] for f in _facts(body)] == [("meebook", "switch_date", "2027-03-01")]
