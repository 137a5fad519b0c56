"""Streamlit's caches behind components.memo: installed once per run by app.py."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components import memo


def streamlit_cache(fn: Callable, policy: memo.Policy) -> Callable:
    """st.cache_resource for shared results (fitted models), st.cache_data (a copy per caller) otherwise."""
    cache = st.cache_resource if policy.shared else st.cache_data
    return cache(max_entries=policy.max_entries, ttl=policy.ttl, show_spinner=policy.progress or False)(fn)


def install() -> None:
    memo.install(streamlit_cache)
