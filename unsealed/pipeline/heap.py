"""The objects alive when a run starts kept out of the garbage collector's full passes.

The ingest process holds a large heap before its first file (SQLAlchemy, numpy, the models the
workers share), and a full collection walks every object in it: ~40-80 ms each on this machine,
triggered by what a run allocates (the load plan, the writer's rows, a stage's rows), not by
garbage in that heap. `frozen_heap` moves those objects to the permanent generation for the run
(`gc.freeze`: O(1)), so a collection during the run walks only what the run created, and hands them
back afterwards (`gc.unfreeze`), so nothing is kept from the collector for good. The worker
processes forked meanwhile inherit the frozen heap (their collections skip it too, and leave its
pages shared with the parent). Nested uses freeze once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
