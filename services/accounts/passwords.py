"""Password hashing with Argon2id (argon2-cffi's recommended parameters), and the lighter
profile for random one-time secrets."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Recovery codes are random (about 49 bits), not chosen by people, so OWASP's minimum Argon2id
# profile suffices; the default one would make ten codes (hashed at once, checked in turn) take
# seconds on a busy machine.
_secret_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Verified against when the email is unknown, so a sign-in takes as long either way.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    return _verifies(_hasher, password_hash or _DUMMY_HASH, password) and password_hash is not None


def hash_secret(secret: str) -> str:
    return _secret_hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    return _verifies(_secret_hasher, secret_hash, secret)


def _verifies(hasher: PasswordHasher, hashed: str, value: str) -> bool:
    try:
        return hasher.verify(hashed, value)
    except (VerificationError, InvalidHashError):
        return False
