"""Tunables of the alert machinery, from the environment so a drill or a test can shorten them."""

from __future__ import annotations

from chihuy.core.env import env_seconds


def audit_seconds() -> float:
    """How often the auditor re-checks overdue steps and stuck deliveries."""
    return env_seconds("CHIHUY_ALERTS_AUDIT_SECONDS", 30.0)


def stuck_seconds() -> float:
    """A delivery still "sending" after this long was cut off by a crash and is retried."""
    return env_seconds("CHIHUY_ALERTS_STUCK_SECONDS", 120.0)


def missing_alert_window_seconds() -> float:
    """How far back the auditor looks for urgent records left without an alert."""
    return env_seconds("CHIHUY_ALERTS_MISSING_WINDOW_SECONDS", 24 * 3600.0)


def stream_poll_seconds() -> float:
    return env_seconds("CHIHUY_ALERTS_POLL_SECONDS", 0.2)


def stream_idle_seconds() -> float:
    """With PostgreSQL's NOTIFY waking a stream, how long it waits before reading anyway."""
    return env_seconds("CHIHUY_ALERTS_IDLE_SECONDS", 2.0)


def stream_heartbeat_seconds() -> float:
    return env_seconds("CHIHUY_ALERTS_HEARTBEAT_SECONDS", 15.0)


# The task queue of escalation, delivery and the auditor: its own worker process, so bulk
# notices on "default" never hold a step back (settings.TASK_QUEUES, scripts/run-server).
QUEUE = "alerts"

# Attempts per delivery (the first try included) and the wait before each retry.
MAX_ATTEMPTS = 3
RETRY_BACKOFF_SECONDS = (5.0, 30.0)
WEBHOOK_TIMEOUT_SECONDS = 5.0
