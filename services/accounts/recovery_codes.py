"""One-time recovery codes, for when the authenticator app is lost: a set is made when
two-factor is set up (shown once), kept as Argon2id hashes, and each code is spent once with
a compare-and-set. Wherever a code from the authenticator is asked for, one of these does too."""

import asyncio
import secrets
from uuid import UUID

from models.accounts import RecoveryCode
from services.accounts import passwords
from services.core import database
from services.core.clock import now

COUNT = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i): about 49 bits per code.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10


def looks_like_one(code: str) -> bool:
    """Tells a recovery code from a 6-digit authenticator code."""
    return len(_normalise(code)) == LENGTH


async def replace(user_id: UUID) -> list[str]:
    """A new set in place of the user's previous one, used or not; the codes in clear, once."""
    codes = [_new_code() for _ in range(COUNT)]
    # Argon2 is slow on purpose: ten hashes would hold up the other requests on this loop.
    hashes = await asyncio.to_thread(_hashes, codes)
    async with database.transaction():
        await RecoveryCode.filter(user_id=user_id).delete()
        await RecoveryCode.bulk_create(
            RecoveryCode(user_id=user_id, code_hash=code_hash) for code_hash in hashes
        )
    return codes


async def remaining(user_id: UUID) -> int:
    return await RecoveryCode.filter(user_id=user_id, used_at__isnull=True).count()


async def spend(user_id: UUID, code: str) -> int | None:
    """Spends `code` if it is one of the user's unused codes: how many are left after it, or
    None when it is not one (or a request racing this one spent it first)."""
    unused = await RecoveryCode.filter(user_id=user_id, used_at__isnull=True)
    match = await asyncio.to_thread(_matching, unused, _normalise(code))
    if match is None:
        return None
    spent = await RecoveryCode.filter(id=match.id, used_at__isnull=True).update(used_at=now())
    return await remaining(user_id) if spent else None


async def forget(user_id: UUID) -> None:
    await RecoveryCode.filter(user_id=user_id).delete()


def _hashes(codes: list[str]) -> list[str]:
    return [passwords.hash_secret(_normalise(code)) for code in codes]


def _matching(unused: list[RecoveryCode], candidate: str) -> RecoveryCode | None:
    return next((c for c in unused if passwords.verify_secret(c.code_hash, candidate)), None)


def _new_code() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _normalise(code: str) -> str:
    """As typed: any case, with or without the dash or spaces."""
    return "".join(code.split()).replace("-", "").lower()
