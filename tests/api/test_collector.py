"""The served process's cyclic collector (`server.memory`): what start-up built is left out of
its passes, and its youngest generation is collected less often than Python's default."""

import gc

from server import memory
from tests.support.servers import Server


async def test_the_served_process_collects_less_often(server: Server) -> None:
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == memory.YOUNG_COLLECTED_EVERY
