from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chihuy.jurisdictions.choices import Kind, Level, Structure


class JurisdictionQuerySet(models.QuerySet["Jurisdiction"]):
    def subtree_of(self, root: Jurisdiction) -> JurisdictionQuerySet:
        """The unit and everything below it, by the denormalised ancestor columns."""
        if root.level == Level.PROVINCE:
            return self.filter(Q(pk=root.pk) | Q(province_id=root.pk))
        if root.level == Level.DISTRICT:
            return self.filter(Q(pk=root.pk) | Q(district_id=root.pk))
        return self.filter(pk=root.pk)


class Jurisdiction(models.Model):
    """An administrative unit with its official NSO (GSO) code, in one structure.

    Both structures are kept side by side: the current two-tier one (province ->
    commune, from 1 July 2025) and the pre-2025 three-tier one (province ->
    district -> commune). Codes are unique within a structure and level only.
    Jurisdictions are reference data loaded from ``vietnam-provinces``; they are
    not audited records.
    """

    structure = models.CharField(_("cấu trúc"), max_length=10, choices=Structure.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    code = models.PositiveIntegerField(_("mã đơn vị (TCTK)"))
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices)
    codename = models.CharField(max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised ancestors: a subtree is one indexed equality filter.
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    district = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    search_key = models.CharField(max_length=255, db_index=True, editable=False)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["structure", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "level", "code"], name="jurisdiction_unique_code"),
        ]
        indexes = [models.Index(fields=["structure", "level"], name="jurisdiction_struct_level")]

    def __str__(self) -> str:
        return self.name

    @property
    def label_with_parent(self) -> str:
        parent = self.parent
        return f"{self.name}, {parent.name}" if parent else self.name

    def is_within(self, other: Jurisdiction) -> bool:
        """True when this unit is ``other`` or lies below it (same structure)."""
        return other.pk in (self.pk, self.province_id, self.district_id)


class JurisdictionSuccession(models.Model):
    """The package's mapping from a pre-2025 unit to the current unit(s) it became part of."""

    old = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="successors_links")
    new = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="predecessor_links")
    partial = models.BooleanField(_("sáp nhập một phần"), default=False)

    class Meta:
        verbose_name = _("chuyển đổi đơn vị hành chính")
        verbose_name_plural = _("chuyển đổi đơn vị hành chính")
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="succession_unique_pair")]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
