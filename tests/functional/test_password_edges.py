"""New passwords at the edges of the length rule, through the password form and the rule itself.

A strong password one character short of the minimum is refused for its length (mutant A25); the minimum and the
maximum (256) are accepted. A long passphrase — anything over 72 characters — used to answer 500: zxcvbn 4.5
refuses input longer than 72 characters, and the rule passed it the first 100.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import csrf_token, form_login
from tracker.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem, verify_password
from tracker.auth.users import create_user
from tracker.models import User

STRONG = "Vq8#Lm2$Xr5!Tz9&Hd4@Kc7%Wn3^"  # random, no words: zxcvbn's top score at any prefix used below
PASSPHRASE = "grøn elefant cykler langsomt fra Skagen til Gedser hver eneste sommer siden 1987 med en rød cykel"


def test_a_strong_password_one_short_of_the_minimum_is_refused_for_its_length() -> None:
    assert password_problem(STRONG[: MIN_LENGTH - 1]) == f"Adgangskoden skal have mindst {MIN_LENGTH} tegn."
    assert password_problem(STRONG[:MIN_LENGTH]) is None


def test_the_maximum_length_is_allowed_and_one_more_is_refused() -> None:
    longest = STRONG + "a" * (MAX_LENGTH - len(STRONG))
    assert password_problem(longest) is None
    assert password_problem(longest + "x") == f"Adgangskoden må højst have {MAX_LENGTH} tegn."


def test_a_long_passphrase_can_be_chosen_as_the_first_password(app: Flask, session: Session) -> None:
    assert len(PASSPHRASE) > 72
    user, one_time = create_user(session, email="lang@kmd.example", role="vendor", organisation="kmd")
    session.commit()
    client = app.test_client()
    assert form_login(client, user.email, one_time).status_code == 302
    token = csrf_token(client, "/konto/ny-adgangskode")
    chosen = client.post("/konto/ny-adgangskode", data={"csrf_token": token, "new": PASSPHRASE})
    assert chosen.status_code == 302, chosen.get_data(as_text=True)[:300]
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None and verify_password(stored.password_hash, PASSPHRASE)
    assert stored.must_change_password is False
