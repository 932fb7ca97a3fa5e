"""The attempt counters behind the sign-in limits, with time passed in rather than waited for:
both kinds alike, and the Redis one shared by replicas and atomic."""

import asyncio
from datetime import timedelta

import pytest

from services.accounts import throttle
from services.attempts import AttemptCounter, Locked
from services.core.clock import now
from services.core.errors import RateLimited
from tests.support.login_attempts import (
    KEY,
    LIMITS,
    admit_times,
    counter_of_kind,
    loopback_address,
    redis_counters,
)
from tests.support.tenants import unique_email

SCHEDULE = LIMITS.schedule(LIMITS.free_attempts)
FREE = LIMITS.free_attempts
KINDS = pytest.mark.parametrize("kind", ["in_process", "redis"])


@KINDS
async def test_a_lockout_ends_at_its_retry_at_and_the_next_doubles(kind: str) -> None:
    start = now()
    retry_at = start + LIMITS.first_lockout
    async with counter_of_kind(kind) as counter:
        assert await admit_times(counter, FREE, start, SCHEDULE) == [None] * (FREE - 1) + [retry_at]
        for at in (start, retry_at - timedelta(milliseconds=1)):
            with pytest.raises(Locked) as locked:
                await counter.admit(KEY, at, SCHEDULE)
            assert locked.value.until == retry_at
        assert await counter.admit(KEY, retry_at, SCHEDULE) == retry_at + 2 * LIMITS.first_lockout


@KINDS
async def test_lockouts_stop_growing_at_the_maximum(kind: str) -> None:
    at = now()
    lockouts = []
    async with counter_of_kind(kind) as counter:
        await admit_times(counter, FREE - 1, at, SCHEDULE)
        for _ in range(8):
            locked_until = await counter.admit(KEY, at, SCHEDULE)
            assert locked_until is not None
            lockouts.append(locked_until - at)
            at = locked_until
    first = LIMITS.first_lockout
    assert lockouts == [first * 2**n for n in range(5)] + [LIMITS.max_lockout] * 3


@KINDS
async def test_failures_are_forgotten_a_window_after_the_latest(kind: str) -> None:
    start = now()
    async with counter_of_kind(kind) as counter:
        await admit_times(counter, FREE - 1, start, SCHEDULE)
        # One more would lock within the window; after it, they start again from none.
        later = await admit_times(counter, FREE - 1, start + LIMITS.window, SCHEDULE)
    assert later == [None] * (FREE - 1)


@KINDS
async def test_a_released_attempt_no_longer_counts(kind: str) -> None:
    at = now()
    async with counter_of_kind(kind) as counter:
        await admit_times(counter, FREE, at, SCHEDULE)
        await counter.release(KEY)
        assert await counter.admit(KEY, at, SCHEDULE) == at + LIMITS.first_lockout


async def test_two_redis_counters_share_one_count() -> None:
    at = now()
    async with redis_counters(2) as (one, other):
        await admit_times(one, FREE, at, SCHEDULE)
        with pytest.raises(Locked):
            await other.admit(KEY, at, SCHEDULE)
        await other.reset(KEY)
        assert await one.admit(KEY, at, SCHEDULE) is None


async def test_parallel_attempts_on_two_replicas_admit_only_the_free_ones() -> None:
    at = now()

    async def admitted(counter: AttemptCounter) -> bool:
        try:
            await counter.admit(KEY, at, SCHEDULE)
        except Locked:
            return False
        return True

    async with redis_counters(2) as counters:
        results = await asyncio.gather(*(admitted(counters[n % 2]) for n in range(60)))
    assert results.count(True) == FREE


async def test_a_locked_email_is_tried_again_from_retry_at() -> None:
    email, address, start = unique_email("locked"), loopback_address(), now()
    for _ in range(FREE):
        attempt = await throttle.admit(email, address, start)
        await attempt.failed(None)
    with pytest.raises(RateLimited) as limited:
        await throttle.admit(email, address, start)
    assert limited.value.retry_at == start + LIMITS.first_lockout
    attempt = await throttle.admit(email, address, limited.value.retry_at)
    await attempt.succeeded()
    assert (await throttle.admit(email, address, limited.value.retry_at)).locks_until is None


async def test_a_refusal_for_the_address_does_not_count_for_the_email() -> None:
    address, at = loopback_address(), now()
    for _ in range(LIMITS.free_attempts_per_address):
        await throttle.admit(unique_email("sprayed"), address, at)
    email = unique_email("target")
    for _ in range(FREE):
        with pytest.raises(RateLimited):
            await throttle.admit(email, address, at)
    elsewhere = loopback_address()
    locks = [(await throttle.admit(email, elsewhere, at)).locks_until for _ in range(FREE - 1)]
    assert locks == [None] * (FREE - 1)
