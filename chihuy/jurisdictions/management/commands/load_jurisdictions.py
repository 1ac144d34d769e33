"""Load the administrative units from ``vietnam-provinces`` (R14); safe to re-run."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.services import (
    STRUCTURE_CHOICES,
    Counts,
    JurisdictionSourceError,
    jurisdictions_load,
)


def _changes(c: Counts) -> str:
    return _("mới %(created)s, cập nhật %(updated)s, giữ nguyên %(unchanged)s") % {
        "created": c.created,
        "updated": c.updated,
        "unchanged": c.unchanged,
    }


class Command(BaseCommand):
    help = _("Nạp đơn vị hành chính (hai cấp hiện hành, ba cấp trước 01/07/2025 và bảng chuyển đổi).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--structure",
            choices=STRUCTURE_CHOICES,
            default="both",
            help=_("current: hai cấp hiện hành; legacy: ba cấp cũ; both: cả hai và bảng chuyển đổi."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        structure = options["structure"]
        started = time.perf_counter()
        try:
            result = jurisdictions_load(structure=structure)
        except JurisdictionSourceError as exc:
            raise CommandError(
                _("Dữ liệu nguồn không hợp lệ, không có gì được ghi: %(reason)s")
                % {"reason": " ".join(exc.messages)}
            ) from exc
        elapsed = time.perf_counter() - started

        units = result.units
        if (Structure.CURRENT, Level.PROVINCE) in units:
            self.stdout.write(
                _("Hiện hành: %(p)s tỉnh/thành, %(c)s xã/phường")
                % {
                    "p": result.count(Structure.CURRENT, Level.PROVINCE),
                    "c": result.count(Structure.CURRENT, Level.COMMUNE),
                }
            )
        if (Structure.LEGACY, Level.PROVINCE) in units:
            self.stdout.write(
                _("Trước 01/07/2025: %(p)s tỉnh/thành, %(d)s quận/huyện, %(c)s xã/phường/thị trấn")
                % {
                    "p": result.count(Structure.LEGACY, Level.PROVINCE),
                    "d": result.count(Structure.LEGACY, Level.DISTRICT),
                    "c": result.count(Structure.LEGACY, Level.COMMUNE),
                }
            )
        total = Counts()
        for c in units.values():
            total.created += c.created
            total.updated += c.updated
            total.unchanged += c.unchanged
        self.stdout.write(_("Đơn vị hành chính: %(changes)s.") % {"changes": _changes(total)})
        if structure == "both":
            s = result.successions
            self.stdout.write(
                _("Bảng chuyển đổi cũ → mới: %(n)s dòng (%(changes)s, xoá %(deleted)s).")
                % {"n": s.total, "changes": _changes(s), "deleted": s.deleted}
            )
            if result.successions_skipped:
                self.stdout.write(
                    _("Bỏ qua %(n)s dòng chuyển đổi trỏ tới đơn vị không có trong dữ liệu.")
                    % {"n": len(result.successions_skipped)}
                )
        self.stdout.write(self.style.SUCCESS(_("Xong trong %(s).1f giây.") % {"s": elapsed}))
