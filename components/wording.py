"""Words for sentences generated from the numbers on screen (no streamlit here).

A comparison is worded from the numbers as the page prints them (three decimals by default), so a
sentence never says "above" where the reader sees two equal numbers.
"""
from __future__ import annotations


def relation(a: float, b: float, digits: int = 3) -> str:
    """'above', 'below' or 'equal to': a against b at the precision shown."""
    a, b = round(a, digits), round(b, digits)
    return "above" if a > b else "below" if a < b else "equal to"


def change(first: float, last: float, digits: int = 3) -> str:
    """'fell from a to b', 'rose from a to b' or 'stayed at a', at the precision shown."""
    a, b = round(first, digits), round(last, digits)
    if a == b:
        return f"stayed at {first:.{digits}f}"
    return f"{'fell' if b < a else 'rose'} from {first:.{digits}f} to {last:.{digits}f}"


def share_text(share: float) -> str:
    """A share in whole percent; a small non-zero share reads "under 1%", not "0%"."""
    return "under 1%" if 0 < share < 0.005 else f"{share:.0%}"
