from chihuy.alerts.models.alert import Alert, AlertDelivery, AlertStep
from chihuy.alerts.models.policy import AlertPolicy

__all__ = ["Alert", "AlertDelivery", "AlertPolicy", "AlertStep"]
