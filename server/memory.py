"""How a process's memory is managed: the C allocator's large buffers in a worker, and the
cyclic collector's passes in the API server.

glibc serves a request of 128 KiB or more with a mapping of its own and unmaps it when freed,
but each such free raises that threshold to the freed size (up to 32 MiB). A backup hands 256
KiB of COPY output at a time to the deflating threads and seals and stores the file 1 MiB at a
time, so after the first few buffers every later one came from the heaps (one per thread), which
kept them: the worker's resident memory rose by about 20 MB during a backup, and stayed. A
fixed threshold (which also stops it moving) returns each buffer when it is freed.

The collector runs its youngest generation every 700 allocations of container objects (the
default), and a page of 50 records allocates about 5,000 that live only as long as the request:
it ran seven times a request, each pass traversing the answer being built, and every tenth pass
the older objects too. About 5 % of a page's time, and collections of what reference counting
frees anyway.
"""

import ctypes
import ctypes.util
import gc

# Allocations of container objects between collections of the youngest generation: about two
# pages of records.
YOUNG_COLLECTED_EVERY = 10_000

# From glibc's malloc.h.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def return_large_buffers() -> bool:
    """Fixes glibc's threshold at its default; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None or not hasattr(libc, "gnu_get_libc_version"):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def collect_less_often() -> None:
    """Leaves what start-up built (modules, the schema, the pools) out of every later pass,
    and collects the youngest generation every YOUNG_COLLECTED_EVERY allocations. Called
    once the process is ready to serve."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTED_EVERY, middle, oldest)
