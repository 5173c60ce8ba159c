"""Receipt codes: shown once to the voter, stored only as a hash.

60 random bits in an unambiguous alphabet, grouped for reading aloud: XXXX-XXXX-XXXX."""

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
GROUPS, GROUP_LENGTH = 3, 4
CODE_MAX_LENGTH = GROUPS * GROUP_LENGTH + GROUPS - 1


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in ALPHABET)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def code_digest(code: str) -> bytes:
    """The receipt's sha256 as bytes, as ballots carry it."""
    return hashlib.sha256(normalise(code).encode()).digest()


def is_well_formed(code: str) -> bool:
    return len(normalise(code)) == GROUPS * GROUP_LENGTH and len(code) <= CODE_MAX_LENGTH + 8
