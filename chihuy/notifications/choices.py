"""Channels a notice can travel on; the same ones urgent alerts use (R3, R4)."""

from chihuy.alerts.choices import Channel

OUTSIDE_CHANNELS = (Channel.EMAIL.value, Channel.SMS.value, Channel.ZALO.value)
DEFAULT_CHANNELS = (Channel.IN_APP.value, Channel.EMAIL.value)

__all__ = ["DEFAULT_CHANNELS", "OUTSIDE_CHANNELS", "Channel"]
