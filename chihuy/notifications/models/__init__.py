from chihuy.notifications.models.notification import Notification

__all__ = ["Notification"]
