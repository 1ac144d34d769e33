"""Writes for briefings: schedule, venue and time changes, participants, absences, attendance
(R5, R6, R7, R10, R12, R26). The agenda and the minutes are in ``chihuy.briefings.minutes``.

Every service validates with ``full_clean`` and saves inside ``transaction.atomic``; the
Audited base records each change. Rules about *who* may do something that are part of the
domain (nobody approves his own absence; only the commander or the chair changes a meeting
after the deadline) live here, so the pages and the API cannot differ.
"""

from chihuy.briefings.services.common import ATTENDANCE_OPENS, ATTENDING_ROLES, fmt, local_dt, notify
from chihuy.briefings.services.people import (
    absence_decide,
    absence_request,
    attendance_record,
    attendance_record_many,
    can_decide_absence,
    participant_add,
    participant_move,
    participant_remove,
    point_choose_attendees,
)
from chihuy.briefings.services.schedule import (
    briefing_cancel,
    briefing_change,
    briefing_create,
    briefing_settings_for,
    briefing_settings_update,
    briefings_ensure_all,
    briefings_ensure_upcoming,
    default_chair,
    late_change_message,
    pick_room,
    regular_title,
    video_url,
)

__all__ = [
    "ATTENDANCE_OPENS",
    "ATTENDING_ROLES",
    "absence_decide",
    "absence_request",
    "attendance_record",
    "attendance_record_many",
    "briefing_cancel",
    "briefing_change",
    "briefing_create",
    "briefing_settings_for",
    "briefing_settings_update",
    "briefings_ensure_all",
    "briefings_ensure_upcoming",
    "can_decide_absence",
    "default_chair",
    "fmt",
    "late_change_message",
    "local_dt",
    "notify",
    "participant_add",
    "participant_move",
    "participant_remove",
    "pick_room",
    "point_choose_attendees",
    "regular_title",
    "video_url",
]
