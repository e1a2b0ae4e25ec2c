"""Password hashing with argon2id (OWASP parameters) and one-time password generation."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# m=19456 KiB, t=2, p=1: OWASP's minimum for argon2id.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's 3: 'safely unguessable' against online attacks with throttling (ours), per its authors.
MIN_ZXCVBN_SCORE = 3
# zxcvbn 4.5 raises ValueError on passwords longer than this.
ZXCVBN_MAX_INPUT = 72


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; a missing or malformed hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is unacceptable, in Danish, or None.

    Length alone lets 'password1234' through; zxcvbn knows the common-password lists, keyboard walks and
    l33t variants, and ``user_inputs`` (e-mail, name) so a password built from them is refused too.
    """
    if len(password) < MIN_LENGTH:
        return f"Adgangskoden skal have mindst {MIN_LENGTH} tegn."
    if len(password) > MAX_LENGTH:
        return f"Adgangskoden må højst have {MAX_LENGTH} tegn."
    if len(set(password)) < 5:
        return "Adgangskoden er for ensformig."
    # zxcvbn refuses input over 72 characters (ValueError) and long passwords are strong anyway: judge the first 72.
    if zxcvbn(password[:ZXCVBN_MAX_INPUT], user_inputs=[u for u in user_inputs if u])["score"] < MIN_ZXCVBN_SCORE:
        return "Adgangskoden er for let at gætte: den ligner en almindelig adgangskode, et ord eller et mønster."
    return None


# Words anyone guessing a Danish municipal user's password tries first (zxcvbn knows English lists only).
COMMON_DANISH = (
    "velkommen",
    "adgangskode",
    "kodeord",
    "kommune",
    "sommer",
    "vinter",
    "foraar",
    "efteraar",
    "januar",
    "december",
    "danmark",
    "tracker",
    "tu-tracker",
    "kombit",
    "mitid",
    "nemlogin",
)


def user_inputs(*values: str | None) -> tuple[str, ...]:
    """What zxcvbn should know about the user: e-mail and its parts, names and their words, Danish staples."""
    found: list[str] = []
    for value in values:
        if not value:
            continue
        value = value.strip().lower()
        found.append(value)
        local, _, domain = value.partition("@")
        if domain:
            found += [local, domain, local + domain, *domain.split(".")]
        found += [w for w in value.replace("-", " ").replace(".", " ").split() if len(w) > 1]
    return tuple(dict.fromkeys([*found, *COMMON_DANISH]))


def generate_password() -> str:
    """A random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)
