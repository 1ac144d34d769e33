from chihuy.intake.models.attachment import IntakeAttachment
from chihuy.intake.models.event import IntakeEvent
from chihuy.intake.models.idempotency import IdempotencyKey, SmsWebhookSecret  # noqa: F401
from chihuy.intake.models.procedure import IntakeProcedure, ProcedureAcknowledgement  # noqa: F401
from chihuy.intake.models.record import IntakeDayCounter, IntakeRecord
from chihuy.intake.models.routing import RoutingRule

__all__ = ["IntakeAttachment", "IntakeDayCounter", "IntakeEvent", "IntakeRecord", "RoutingRule"]
