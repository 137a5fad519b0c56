"""Give memory the app has freed back to the operating system, so a class's peak does not stay the
server's size (Community Cloud stops an app that outgrows its memory).

glibc's malloc keeps freed memory inside the process for reuse, and gives each thread that contends for
the heap an arena of its own (up to 8 per core); Streamlit runs every script run in a new thread, so
memory freed in one arena lies unused while another grows. Two arenas and a trim every 20 s keep the
server near what it really holds (README, "A class at once", has the numbers). Both calls are glibc's
own (mallopt(3), malloc_trim(3)); with another C library (macOS, musl) nothing is done.
"""
from __future__ import annotations

import ctypes
import threading
import time

M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)
ARENAS = 2  # one per core on Community Cloud's two; fewer arenas, less memory stranded between them
TRIM_EVERY = 20.0  # seconds; a trim costs a few milliseconds and runs outside the GIL
THREAD_NAME = "ml-explorer-malloc-trim"
_started: list[bool] = []  # once per process (a module-level flag: clearing Streamlit's caches keeps it)
_lock = threading.Lock()


def _trim_forever(libc) -> None:
    while True:
        time.sleep(TRIM_EVERY)
        libc.malloc_trim(0)


def give_back_freed_memory() -> bool:
    """Once per process: cap glibc's arenas and return freed pages every TRIM_EVERY seconds.
    Returns whether it does (False where the C library is not glibc)."""
    with _lock:
        if not _started:
            try:
                libc = ctypes.CDLL("libc.so.6")
                libc.mallopt.argtypes, libc.malloc_trim.argtypes = [ctypes.c_int, ctypes.c_int], [ctypes.c_size_t]
            except (OSError, AttributeError):
                _started.append(False)
                return False
            libc.mallopt(M_ARENA_MAX, ARENAS)
            threading.Thread(target=_trim_forever, args=(libc,), daemon=True, name=THREAD_NAME).start()
            _started.append(True)
        return _started[0]
