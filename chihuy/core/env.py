"""Typed readers for settings that come from the environment.

Each helper fails fast with a message naming the variable, so a misconfigured
production server refuses to start instead of running half-configured.
A ``NAME_FILE`` variable is read in place of ``NAME`` for secrets kept in files.
"""

from __future__ import annotations

import os
from pathlib import Path


class EnvError(Exception):
    """An environment variable is missing or malformed."""


def _raw(name: str) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise EnvError(f"{name} must be set")
        if default is None:
            return ""
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    # Only the two words: "0"/"no"/"off" guesses have switched security settings the wrong way.
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise EnvError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise EnvError(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise EnvError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds (tunables a drill or a test shortens), read at each call."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise EnvError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value <= 0:
        raise EnvError(f"{name} must be positive")
    return value
