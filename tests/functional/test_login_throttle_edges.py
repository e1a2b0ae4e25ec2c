"""The address-wide login limit is five times the per-account one, to the attempt: nine failures spread over other
accounts from one address leave a newcomer there free to log in, the tenth throttles them (mutant A24: the address
limit equal to the account limit, which would lock an office NAT out after a few typos)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.auth.login import ADDRESS_FACTOR, ThrottlePolicy, attempt_login
from tracker.auth.users import create_user

POLICY = ThrottlePolicy(max_failures=2)
OFFICE = "198.51.100.9"


def _fail(session: Session, count: int, start: int = 0) -> None:
    for i in range(start, start + count):  # one failure per account: no account reaches its own limit
        attempt_login(session, email=f"typo{i}@example.dk", password="forkert", remote_addr=OFFICE, policy=POLICY)


def test_the_address_limit_is_five_times_the_account_limit(session: Session) -> None:
    assert ADDRESS_FACTOR == 5
    limit = POLICY.max_failures * ADDRESS_FACTOR
    newcomer, password = create_user(session, email="ny@kmd.example", role="vendor", organisation="kmd")
    session.flush()
    _fail(session, limit - 1)
    outcome = attempt_login(session, email=newcomer.email, password=password, remote_addr=OFFICE, policy=POLICY)
    assert outcome.user is newcomer and not outcome.throttled

    other, other_password = create_user(session, email="ny2@kmd.example", role="vendor", organisation="kmd")
    session.flush()
    _fail(session, 1, start=limit)
    outcome = attempt_login(session, email=other.email, password=other_password, remote_addr=OFFICE, policy=POLICY)
    assert outcome.throttled and outcome.user is None
