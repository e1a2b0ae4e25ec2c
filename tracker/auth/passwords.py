"""Password hashing with argon2id (OWASP parameters) and one-time password generation."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# m=19456 KiB, t=2, p=1: OWASP's minimum for argon2id.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 256


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


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, in Danish, or None."""
    if len(password) < MIN_LENGTH:
        return f"Adgangskoden skal have mindst {MIN_LENGTH} tegn."
    if len(password) > MAX_LENGTH:
        return f"Adgangskoden må højst have {MAX_LENGTH} tegn."
    if len(set(password)) < 5:
        return "Adgangskoden er for ensformig."
    return None


def generate_password() -> str:
    """A random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)
