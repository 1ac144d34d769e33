from chihuy.briefings.models.briefing import (
    AbsenceRequest,
    BridgePoint,
    Briefing,
    BriefingChange,
    Participant,
)
from chihuy.briefings.models.minutes import AgendaItem, Conclusion
from chihuy.briefings.models.settings import BriefingSettings

__all__ = [
    "AbsenceRequest",
    "AgendaItem",
    "BridgePoint",
    "Briefing",
    "BriefingChange",
    "BriefingSettings",
    "Conclusion",
    "Participant",
]
