"""Two-factor authentication for the tests: codes computed with pyotp, enrollment and step-up
over the API, and the shortcuts that leave the same state on the models."""

import asyncio
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pyotp

from models.accounts import Role, Session, User
from services.accounts import sessions as auth
from services.accounts.step_up import require_step_up
from services.core.clock import now
from tests.support.graphql import GraphQLClient
from tests.support.tenants import Tenant

START_ENROLLMENT = """
mutation($current: String) {
  startTotpEnrollment(currentCode: $current) { secret otpauthUri qrCodeSvgDataUri }
}
"""
CONFIRM = "mutation($code: String!) { confirmTotpEnrollment(code: $code) { codes } }"
REAUTH = """
mutation($code: String!) {
  reauthenticate(code: $code) { reauthenticatedUntil recoveryCodesRemaining }
}
"""
REGENERATE_RECOVERY_CODES = "mutation { regenerateRecoveryCodes { codes } }"
RECOVERY_CODES_LEFT = "{ me { recoveryCodesRemaining } }"
STEP = 30


async def steady_clock(margin: float = 5) -> None:
    """Waits for a fresh time step when this one is about to end, so a code computed here still
    belongs to the same step when the server checks it."""
    left = STEP - time.time() % STEP
    if left < margin:
        await asyncio.sleep(left + 0.05)


def code(generator: pyotp.TOTP, steps: int = 0) -> str:
    """The code `steps` time steps from now."""
    return generator.at(time.time() + steps * STEP)


def wrong_code(generator: pyotp.TOTP) -> str:
    """A code that no step the server accepts (one either side of now) would give."""
    valid = {code(generator, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


async def enroll(gql: GraphQLClient, token: str) -> pyotp.TOTP:
    """Enrolled over the API, as an authenticator app would, with the previous step's code:
    the current and the next are still unused."""
    generator, _ = await enroll_with_recovery_codes(gql, token)
    return generator


async def enroll_with_recovery_codes(
    gql: GraphQLClient, token: str
) -> tuple[pyotp.TOTP, list[str]]:
    """`enroll`, and the recovery codes its confirmation answered."""
    await steady_clock()
    secret = (await gql.data(START_ENROLLMENT, token=token))["startTotpEnrollment"]["secret"]
    generator = pyotp.TOTP(secret)
    confirmed = await gql.data(CONFIRM, {"code": code(generator, -1)}, token)
    return generator, confirmed["confirmTotpEnrollment"]["codes"]


async def reauthenticate(gql: GraphQLClient, token: str, value: str) -> dict[str, Any]:
    """`reauthenticate(code)` over HTTP; the whole answer."""
    return await gql.raw(REAUTH, {"code": value}, token)


async def step_up_check(token: str) -> None:
    """What a restore asks of the session: raises unless it may go ahead."""
    require_step_up(await auth.authenticate(token))


def assert_at_most_five_checked(outcomes: list[list[str]]) -> None:
    """Of these answers' error codes, at most five are wrong codes; the rest are lockouts."""
    counts = Counter(tuple(outcome) for outcome in outcomes)
    assert set(counts) <= {("VALIDATION_FAILED",), ("TOTP_LOCKED",)}, counts
    assert counts[("VALIDATION_FAILED",)] <= 5, counts


async def enroll_totp(user: User) -> None:
    """What confirming an enrollment leaves on the user (step-up only checks it is there)."""
    await User.filter(id=user.id).update(totp_secret_encrypted="enrolled-for-the-test")


async def reauthenticated(token: str, seconds_ago: float = 0) -> None:
    """What a successful `reauthenticate(code)` leaves on the session."""
    at = now() - timedelta(seconds=seconds_ago)
    await Session.filter(token_hash=auth.hash_token(token)).update(reauthenticated_at=at)


async def step_up(tenant: Tenant) -> None:
    """The tenant's super admin: enrolled in two-factor and freshly re-authenticated."""
    await enroll_totp(tenant.users[Role.SUPER_ADMIN])
    await reauthenticated(tenant.super_admin)
