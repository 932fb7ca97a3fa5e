"""A buffer of fixed size, filled from views of larger or smaller writes and emptied whole.

Files are written in fixed chunks (a sealed file's chunks, a backup stream's hand-offs to its
deflating thread). A chunk gathered in a buffer kept for the whole file, rather than made anew,
is not a mapping of its own in a worker (`server.memory`), faulted in page by page and
unmapped again.
"""


class FixedBuffer:
    def __init__(self, size: int) -> None:
        self._data = memoryview(bytearray(size))
        self.filled = 0

    @property
    def full(self) -> bool:
        return self.filled == len(self._data)

    def fill(self, data: memoryview) -> int:
        """Copies in as much of `data` as there is room for; how much."""
        taken = min(len(data), len(self._data) - self.filled)
        self._data[self.filled : self.filled + taken] = data[:taken]
        self.filled += taken
        return taken

    def take(self) -> memoryview:
        """What was filled. The buffer counts as empty again: it is not filled until that
        is used."""
        data, self.filled = self._data[: self.filled], 0
        return data
