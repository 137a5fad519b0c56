"""The class link: the current view's full URL as a QR code, drawn here with segno (pure Python, no
network): students scan it from the projector and open the same state on their phones."""
from __future__ import annotations

import io

import segno

from components import memo


@memo.cached(max_entries=64)
def qr_png(url: str, scale: int = 12) -> bytes:
    """A PNG of the URL's QR code (error correction M: still reads with 15 % of it hidden or blurred)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
