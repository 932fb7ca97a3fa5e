"""How a worker process's C allocator treats large buffers.

glibc serves a request of 128 KiB or more with a mapping of its own and unmaps it when freed,
but each such free raises that threshold to the freed size (up to 32 MiB). A backup hands 256
KiB of COPY output at a time to the deflating threads and seals and stores the file 1 MiB at a
time, so after the first few buffers every later one came from the heaps (one per thread), which
kept them: the worker's resident memory rose by about 20 MB during a backup, and stayed. A
fixed threshold (which also stops it moving) returns each buffer when it is freed.
"""

import ctypes
import ctypes.util

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
