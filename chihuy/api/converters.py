"""The ``<id:…>`` path converter of the API's addresses."""

from __future__ import annotations

# 18 digits always fit a signed 64-bit column. A longer number names no row, and a lookup
# through a foreign key with it overflowed the database driver (a 500); now it matches no
# route and is answered 404 like any other unknown address.
MAX_ID_DIGITS = 18


class IdConverter:
    regex = rf"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
