from chihuy.announcements.models.message import Message, MessageRead

__all__ = ["Message", "MessageRead"]
