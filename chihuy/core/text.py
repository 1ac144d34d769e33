"""Text helpers shared by every app."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text for accent-insensitive search.

    "Phường Hà Phong" -> "phuong ha phong"; "Đồng" -> "dong".
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()
