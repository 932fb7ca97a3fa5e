"""Two-factor authentication with time-based one-time codes (TOTP): enrollment and step-up.

Every code is checked under one guard: the attempt is recorded (and committed) before the check,
so parallel guesses, aliases and websocket operations all count towards the lockout; and a time
step is accepted at most once per user, claimed with a compare-and-set, so a code cannot be
replayed even by two requests racing each other.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pyotp
import segno
from cryptography.fernet import InvalidToken
from pyotp.exceptions import OTPVerificationError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.accounts import Session, TotpAttempt, User
from services import activity
from services.accounts import metrics
from services.accounts.step_up import FRESH_FOR, TotpNotEnrolled
from services.core import encryption
from services.core.clock import now
from services.core.errors import ErrorCode, RateLimited, ValidationFailed
from services.core.viewer import Viewer

ISSUER = "crm-backup"
# HKDF `info`: the key that encrypts TOTP secrets is good for nothing else.
ENCRYPTION_PURPOSE = "crm-backup/totp-secret/v1"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# One step (30 s) either side of now: authenticator clocks drift.
VALID_WINDOW = 1


class TotpLocked(RateLimited):
    code = ErrorCode.TOTP_LOCKED


@dataclass(frozen=True)
class Enrollment:
    """Shown once, while the enrollment waits for its first code."""

    secret: str
    otpauth_uri: str
    qr_code_svg_data_uri: str


def is_enrolled(user: User) -> bool:
    return user.totp_secret_encrypted is not None


async def start_enrollment(viewer: Viewer, current_code: str | None = None) -> Enrollment:
    """A new secret, pending until `confirm_enrollment`. Replacing a confirmed secret needs a
    code from it: a stolen session alone cannot move two-factor to the thief's device."""
    user = await _fresh_user(viewer)
    if user.totp_secret_encrypted is not None:
        if not current_code:
            raise ValidationFailed(
                "Two-factor authentication is already set up: pass `currentCode` from your "
                "authenticator to replace it.",
                field="currentCode",
            )
        secret = _decrypt(user.totp_secret_encrypted)
        async with _attempt(user):
            step = _verify(secret, current_code, field="currentCode")
            await _claim(user.id, step, field="currentCode")
    secret = pyotp.random_base32()
    user.totp_pending_secret_encrypted = _encrypt(secret)
    await user.save(update_fields=["totp_pending_secret_encrypted"])
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrollment(
        secret=secret, otpauth_uri=uri, qr_code_svg_data_uri=segno.make(uri).svg_data_uri(scale=4)
    )


async def confirm_enrollment(viewer: Viewer, code: str) -> None:
    """Makes the pending secret the user's secret once a code from it proves the authenticator
    holds it."""
    user = await _fresh_user(viewer)
    pending = user.totp_pending_secret_encrypted
    if pending is None:
        raise ValidationFailed("No enrollment is waiting for a code: call startTotpEnrollment.")
    async with _attempt(user):
        step = _verify(_decrypt(pending), code, field="code")
    # Compare-and-set on the pending secret: an enrollment restarted meanwhile is not confirmed
    # by a code from the secret it replaced.
    moved = await User.filter(id=user.id, totp_pending_secret_encrypted=pending).update(
        totp_secret_encrypted=pending, totp_pending_secret_encrypted=None
    )
    if not moved:
        raise ValidationFailed("The enrollment was restarted: confirm the newest secret.")
    # The code is spent: it cannot re-authenticate afterwards. A step claimed already (by the
    # code that allowed this re-enrollment) is fine here: the new secret has no other use yet.
    await _claim_step(user.id, step)
    await viewer.user.refresh_from_db(fields=_TOTP_FIELDS)
    await activity.record_event(
        user.account_id, user.id, "TOTP_ENROLLED", target_type="user", target_id=user.id
    )


async def reauthenticate(viewer: Viewer, code: str) -> datetime:
    """Step-up: the session counts as freshly authenticated until the returned time."""
    user = await _fresh_user(viewer)
    if user.totp_secret_encrypted is None:
        raise TotpNotEnrolled("Set up two-factor authentication first (startTotpEnrollment).")
    secret = _decrypt(user.totp_secret_encrypted)
    async with _attempt(user):
        await _claim(user.id, _verify(secret, code, field="code"), field="code")
    at = now()
    await Session.filter(id=viewer.session.id).update(reauthenticated_at=at)
    # A websocket keeps its viewer for the whole connection: keep it current too.
    viewer.session.reauthenticated_at = at
    await activity.record_event(
        user.account_id, user.id, "REAUTHENTICATED", target_type="user", target_id=user.id
    )
    return at + FRESH_FOR


_TOTP_FIELDS = ["totp_secret_encrypted", "totp_pending_secret_encrypted", "totp_last_step"]


async def _fresh_user(viewer: Viewer) -> User:
    # The viewer may have been loaded long ago (a websocket connection's); its TOTP state may not.
    await viewer.user.refresh_from_db(fields=_TOTP_FIELDS)
    return viewer.user


@contextlib.asynccontextmanager
async def _attempt(user: User) -> AsyncIterator[None]:
    """One code check. The attempt counts as a failure unless the block completes."""
    attempt = await TotpAttempt.create(user_id=user.id, attempted_at=now())
    await _refuse_if_locked(attempt)
    try:
        yield
    except Exception:
        await _audit_if_locked(user, attempt.attempted_at)
        raise
    await TotpAttempt.filter(id=attempt.id).update(succeeded=True)


async def _refuse_if_locked(attempt: TotpAttempt) -> None:
    # Others still pending count too: that is what bounds a burst of parallel guesses.
    others = [
        other.attempted_at
        for other in await _failures(attempt.user_id, attempt.attempted_at)
        .exclude(id=attempt.id)
        .order_by("attempted_at")
        .only("id", "attempted_at")
    ]
    if len(others) < MAX_FAILURES:
        return
    # Nothing was checked, so this attempt does not prolong the lock.
    await attempt.delete()
    metrics.totp_failures.labels("locked").inc()
    # Unlocked once enough failures have left the window to leave fewer than MAX_FAILURES.
    retry_at = others[len(others) - MAX_FAILURES] + FAILURE_WINDOW
    raise TotpLocked(
        "Too many wrong codes: two-factor authentication is locked for a while.",
        retry_at=retry_at,
    )


async def _audit_if_locked(user: User, at: datetime) -> None:
    if await _failures(user.id, at).count() >= MAX_FAILURES:
        await activity.record_event(
            user.account_id, user.id, "TOTP_LOCKED", target_type="user", target_id=user.id
        )


def _failures(user_id: UUID, at: datetime) -> QuerySet[TotpAttempt]:
    """Failed or still pending attempts in the window ending at `at`."""
    return TotpAttempt.filter(
        user_id=user_id, succeeded=False, attempted_at__gt=at - FAILURE_WINDOW
    )


def _verify(secret: str, code: str, *, field: str) -> int:
    """The time step the code belongs to."""
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code.strip(), valid_window=VALID_WINDOW)
    except OTPVerificationError:
        metrics.totp_failures.labels("wrong").inc()
        raise ValidationFailed("The code is wrong or has expired.", field=field) from None


async def _claim(user_id: UUID, step: int, *, field: str) -> None:
    if not await _claim_step(user_id, step):
        metrics.totp_failures.labels("reused").inc()
        raise ValidationFailed("This code was used already: wait for the next one.", field=field)


async def _claim_step(user_id: UUID, step: int) -> bool:
    """Moves the user's last accepted step forward to `step`, if it is later: an atomic
    compare-and-set, so of two requests with the same code exactly one wins."""
    later = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
    return await User.filter(later, id=user_id).update(totp_last_step=step) == 1


def _encrypt(secret: str) -> str:
    return encryption.cipher(ENCRYPTION_PURPOSE).encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return encryption.cipher(ENCRYPTION_PURPOSE).decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError("A TOTP secret does not decrypt: has SECRET_KEY changed?") from None
