from chihuy.roster.models.changes import CheckIn, SwapRequest
from chihuy.roster.models.pattern import RosterSettings, ShiftDefinition, StaffingRule
from chihuy.roster.models.roster import Assignment, CalendarToken, DutyLock, Roster, Unavailability

__all__ = [
    "Assignment",
    "CalendarToken",
    "CheckIn",
    "DutyLock",
    "Roster",
    "RosterSettings",
    "ShiftDefinition",
    "StaffingRule",
    "SwapRequest",
    "Unavailability",
]
