"""The demo account created on the first embedded start."""


async def seed_once() -> None:
    raise NotImplementedError
