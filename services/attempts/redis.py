"""Production's attempt counter: in Redis, so every API replica counts the same attempts."""

from datetime import datetime, timedelta

import redis.asyncio as redis

from services.attempts.base import Locked, Schedule

# The check and the count in one step, so that parallel attempts on any replica cannot both
# pass a check that only one of them should. KEYS[1]: the key's hash (attempts, latest);
# ARGV: now, the window, then the schedule's lockouts (seconds), as in `Schedule`. Answers
# {1, the lockout should this attempt fail} or, refused, {0, the seconds the lock has left}.
_ADMIT = """
local at = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local function lockout_after(attempts)
  return tonumber(ARGV[2 + math.min(attempts, #ARGV - 2)])
end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
if attempts > 0 and at < latest + window then
  local locked_until = latest + lockout_after(attempts)
  if at < locked_until then
    return {0, tostring(locked_until - at)}
  end
else
  attempts = 0
end
attempts = attempts + 1
redis.call('HSET', KEYS[1], 'attempts', attempts, 'latest', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return {1, tostring(lockout_after(attempts))}
"""

# Never below zero, and never bringing back a key that expired.
_RELEASE = """
if tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'attempts', -1)
end
"""


class RedisAttempts:
    """Each key is a Redis hash under `prefix`, expiring with its window."""

    def __init__(self, client: redis.Redis, prefix: str = "crm-backup:attempts:") -> None:
        self._redis = client
        self._prefix = prefix
        self._admit = self._redis.register_script(_ADMIT)
        self._release = self._redis.register_script(_RELEASE)

    async def admit(self, key: str, at: datetime, schedule: Schedule) -> datetime | None:
        args = [repr(at.timestamp()), repr(schedule.window), *map(repr, schedule.lockouts)]
        admitted, answer = await self._admit(keys=[self._prefix + key], args=args)
        seconds = timedelta(seconds=float(answer))
        if not admitted:
            raise Locked(at + seconds)
        return at + seconds if seconds else None

    async def release(self, key: str) -> None:
        await self._release(keys=[self._prefix + key])

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()
