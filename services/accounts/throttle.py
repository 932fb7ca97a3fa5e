"""How often passwords may be tried: per email and per client address, each with a few free
failures and then lockouts that double up to a maximum.

Each `login` field that runs is one attempt (aliases included), counted in the domain call
before its password is verified; a locked email or address refuses without verifying, so a
locked-out guess costs nothing and tells nothing. Unknown emails count like known ones: the
answers do not tell which exist. A success forgets the email's failures.
"""

import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.accounts import User
from services import activity, attempts
from services.accounts import metrics
from services.core.clock import now
from services.core.errors import RateLimited

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginLimits:
    # Failures before the first lockout, per email and per client address.
    free_attempts: int = 5
    free_attempts_per_address: int = 50
    # Each failure while over the limit doubles the lockout, up to `max_lockout`.
    first_lockout: timedelta = timedelta(seconds=30)
    max_lockout: timedelta = timedelta(minutes=15)
    # Failures are forgotten this long after the latest.
    window: timedelta = timedelta(hours=1)

    def schedule(self, free_attempts: int) -> attempts.Schedule:
        lockouts = [0.0] * (free_attempts - 1)
        lockout = self.first_lockout
        while lockout < self.max_lockout:
            lockouts.append(lockout.total_seconds())
            lockout *= 2
        lockouts.append(self.max_lockout.total_seconds())
        return attempts.Schedule(lockouts=tuple(lockouts), window=self.window.total_seconds())


@dataclass(frozen=True)
class _Schedules:
    per_email: attempts.Schedule
    per_address: attempts.Schedule


def _schedules(limits: LoginLimits) -> _Schedules:
    return _Schedules(
        per_email=limits.schedule(limits.free_attempts),
        per_address=limits.schedule(limits.free_attempts_per_address),
    )


_schedules_in_force = _schedules(LoginLimits())


def limit_logins(limits: LoginLimits) -> None:
    """Set the process's limits at start-up."""
    global _schedules_in_force
    _schedules_in_force = _schedules(limits)


@dataclass(frozen=True)
class Attempt:
    """One admitted sign-in attempt, to be reported as failed or succeeded."""

    email: str
    client_address: str | None
    email_key: str
    address_key: str | None
    # Until when the email or the address is locked should this attempt fail; None: neither.
    locks_until: datetime | None

    async def failed(self, user: User | None) -> None:
        if self.locks_until is None:
            return
        log.warning(
            "Sign-in locked until %s after a wrong password for %s from %s",
            self.locks_until.isoformat(),
            self.email,
            self.client_address,
        )
        if user is not None:
            await activity.record_event(
                user.account_id,
                None,
                "LOGIN_LOCKED",
                target_type="user",
                target_id=user.id,
                retryAt=self.locks_until.isoformat(),
                clientAddress=self.client_address,
            )

    async def succeeded(self) -> None:
        """Forgets the email's failures; the address keeps its other ones."""
        await attempts.counter().reset(self.email_key)
        if self.address_key is not None:
            await attempts.counter().release(self.address_key)


async def admit(email: str, client_address: str | None, at: datetime | None = None) -> Attempt:
    """Counts an attempt to sign in as `email` (normalised) from `client_address` (None: not
    known, so counted by email only); RateLimited while either is locked."""
    at = at or now()
    counter = attempts.counter()
    email_key = _email_key(email)
    address_key = _address_key(client_address) if client_address is not None else None
    try:
        locks = [await counter.admit(email_key, at, _schedules_in_force.per_email)]
        if address_key is not None:
            try:
                locks.append(await counter.admit(address_key, at, _schedules_in_force.per_address))
            except attempts.Locked:
                # Nothing is tried, so the email does not count it either.
                await counter.release(email_key)
                raise
    except attempts.Locked as locked:
        metrics.login_failures.labels("locked").inc()
        raise RateLimited(
            "Too many failed sign-ins: try again later.", retry_at=locked.until
        ) from None
    return Attempt(
        email=email,
        client_address=client_address,
        email_key=email_key,
        address_key=address_key,
        locks_until=max((lock for lock in locks if lock is not None), default=None),
    )


def _email_key(email: str) -> str:
    # Hashed: a key of bounded length, and no addresses kept in Redis.
    return "login:email:" + hashlib.sha256(email.encode()).hexdigest()


def _address_key(client_address: str) -> str:
    return "login:address:" + _network(client_address)


def _network(client_address: str) -> str:
    """The address, or for IPv6 its /64: one client commonly holds a whole /64. (An IPv4
    client of a dual-stack socket arrives as ::ffff:a.b.c.d and stays itself.)"""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
