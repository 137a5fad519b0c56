"""The labs' memo hook: one decorator for every cached computation in ``components/``.

``components/`` never imports streamlit. A lab marks its expensive pure functions with
``@memo.cached(...)`` in its own module; app.py installs Streamlit's caches as the backend
(components/ui/memo_backend.py), so on the server each one is an ``st.cache_data`` (or, for
``shared=True``, an ``st.cache_resource``) with bounded entries. With no backend installed (unit
tests, the exported scripts' checks) a call simply computes, so a test sees the function itself.

Arguments are the cache key, as in Streamlit: plain values, frozen settings objects, DataFrames.
A parameter whose name starts with ``_`` is not hashed (pass a plain key beside it, e.g. ``_data``
with ``data_key``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Policy:
    """How one function's results are kept."""
    max_entries: int  # entries kept per function (bounded memory on a shared server)
    ttl: float | None = None  # seconds an entry lives; None: until evicted by max_entries
    shared: bool = False  # True: one result object shared by every caller (fitted models, read-only
    # arrays), False: every caller gets its own copy (Streamlit pickles it)
    progress: str | None = None  # the spinner's words while it computes; None: no spinner


Backend = Callable[[Callable, Policy], Callable]
_backend: Backend | None = None
_registry: list[Memo] = []


class Memo:
    """A function with a cache policy; the cache itself comes from the installed backend."""

    def __init__(self, fn: Callable, policy: Policy):
        self.fn, self.policy = fn, policy
        self._bound: Callable | None = None
        self._bound_to: Backend | None = None
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        backend = _backend
        if backend is None:
            return self.fn(*args, **kwargs)
        if self._bound is None or self._bound_to is not backend:
            self._bound, self._bound_to = backend(self.fn, self.policy), backend
        return self._bound(*args, **kwargs)

    def clear(self) -> None:
        clear = getattr(self._bound, "clear", None)
        if clear is not None:
            clear()


def cached(*, max_entries: int, ttl: float | None = None, shared: bool = False,
           progress: str | None = None) -> Callable[[Callable], Memo]:
    """Mark a pure function as cached under the installed backend (see the module docstring)."""
    policy = Policy(max_entries, ttl, shared, progress)

    def wrap(fn: Callable) -> Memo:
        memo = Memo(fn, policy)
        _registry.append(memo)
        return memo
    return wrap


def install(backend: Backend | None) -> None:
    """Route every cached function through ``backend(fn, policy) -> callable`` (None: no caching)."""
    global _backend
    _backend = backend


def registered() -> tuple[Memo, ...]:
    """Every cached function defined so far (the load test reports their policies)."""
    return tuple(_registry)
