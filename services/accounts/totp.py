"""Two-factor authentication with time-based one-time codes (TOTP): enrollment and step-up.

Every code is checked under one guard: the attempt is recorded (and committed) before the check,
so parallel guesses, aliases and websocket operations all count towards the lockout; and a time
step is accepted at most once per user, claimed with a compare-and-set, so a code cannot be
replayed even by two requests racing each other. A recovery code (`recovery_codes`) is
accepted wherever a code is, under the same guard.
"""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pyotp
from cryptography.fernet import InvalidToken
from pyotp.exceptions import OTPVerificationError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.accounts import Session, TotpAttempt, User
from services import activity
from services.accounts import metrics, recovery_codes
from services.accounts.sessions import person_session
from services.accounts.step_up import FRESH_FOR, TotpNotEnrolled, require_step_up
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


@dataclass(frozen=True)
class StepUp:
    """A step-up that passed: until when, and for one by recovery code, how many are left."""

    until: datetime
    recovery_codes_left: int | None


def is_enrolled(user: User) -> bool:
    return user.totp_secret_encrypted is not None


async def start_enrollment(viewer: Viewer, current_code: str | None = None) -> Enrollment:
    """A new secret, pending until `confirm_enrollment`. Replacing a confirmed secret needs a
    code from it (or a recovery code, when the device is lost): a stolen session alone cannot
    move two-factor to the thief's device."""
    user = await _fresh_user(viewer)
    if user.totp_secret_encrypted is not None:
        if not current_code:
            raise ValidationFailed(
                "Two-factor authentication is already set up: pass `currentCode` from your "
                "authenticator, or a recovery code, to replace it.",
                field="currentCode",
            )
        async with _attempt(user):
            await _spend_code(user, current_code, field="currentCode")
    secret = pyotp.random_base32()
    user.totp_pending_secret_encrypted = _encrypt(secret)
    await user.save(update_fields=["totp_pending_secret_encrypted"])
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrollment(secret=secret, otpauth_uri=uri, qr_code_svg_data_uri=_qr_code(uri))


def _qr_code(uri: str) -> str:
    # Loaded at the first enrollment: segno takes 4.5 MB of a process, and the workers, which
    # never draw a code, stay clear of it against their memory bounds.
    import segno

    return segno.make(uri).svg_data_uri(scale=4)


async def confirm_enrollment(viewer: Viewer, code: str) -> list[str]:
    """Makes the pending secret the user's secret once a code from it proves the authenticator
    holds it; returns a new set of recovery codes, the only time they are shown."""
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
    codes = await recovery_codes.replace(user.id)
    await activity.record_event(
        user.account_id,
        user.id,
        "TOTP_ENROLLED",
        target_type="user",
        target_id=user.id,
        recovery_codes=len(codes),
    )
    return codes


async def regenerate_recovery_codes(viewer: Viewer) -> list[str]:
    """A new set of recovery codes in place of the old one, after a step-up: a stolen session
    alone cannot read out a way around two-factor."""
    user = await _fresh_user(viewer)
    if user.totp_secret_encrypted is None:
        raise TotpNotEnrolled("Set up two-factor authentication first (startTotpEnrollment).")
    require_step_up(viewer)
    codes = await recovery_codes.replace(user.id)
    await activity.record_event(
        user.account_id,
        user.id,
        "RECOVERY_CODES_REGENERATED",
        target_type="user",
        target_id=user.id,
        recovery_codes=len(codes),
    )
    return codes


async def recovery_codes_left(viewer: Viewer) -> int:
    return await recovery_codes.remaining(viewer.user.id)


async def reset(user: User) -> None:
    """Two-factor off, with its recovery codes and the step-ups of the user's sessions: the
    user sets it up again from scratch. Who asked for it records it in the audit log."""
    await User.filter(id=user.id).update(
        totp_secret_encrypted=None, totp_pending_secret_encrypted=None
    )
    await recovery_codes.forget(user.id)
    await Session.filter(user_id=user.id).update(reauthenticated_at=None)


async def reauthenticate(viewer: Viewer, code: str) -> StepUp:
    """Step-up with a code from the authenticator or a recovery code: the session counts as
    freshly authenticated until the returned time."""
    session = person_session(viewer)
    user = await _fresh_user(viewer)
    if user.totp_secret_encrypted is None:
        raise TotpNotEnrolled("Set up two-factor authentication first (startTotpEnrollment).")
    async with _attempt(user):
        left = await _spend_code(user, code, field="code")
    at = now()
    await Session.filter(id=session.id).update(reauthenticated_at=at)
    # A websocket keeps its viewer for the whole connection: keep it current too.
    session.reauthenticated_at = at
    await activity.record_event(
        user.account_id, user.id, "REAUTHENTICATED", target_type="user", target_id=user.id
    )
    return StepUp(until=at + FRESH_FOR, recovery_codes_left=left)


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


async def _spend_code(user: User, code: str, *, field: str) -> int | None:
    """Accepts a current code from the authenticator, or one of the user's recovery codes: then
    returns how many recovery codes are left (None for an authenticator code)."""
    secret = user.totp_secret_encrypted
    if secret is None:
        raise TotpNotEnrolled("Set up two-factor authentication first (startTotpEnrollment).")
    if not recovery_codes.looks_like_one(code):
        step = _verify(_decrypt(secret), code, field=field)
        await _claim(user.id, step, field=field)
        return None
    left = await recovery_codes.spend(user.id, code)
    if left is None:
        raise ValidationFailed("The recovery code is wrong or was used already.", field=field)
    await activity.record_event(
        user.account_id,
        user.id,
        "RECOVERY_CODE_USED",
        target_type="user",
        target_id=user.id,
        recovery_codes_left=left,
    )
    return left


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
