from django.db import models
from django.utils.translation import gettext_lazy as _


class Structure(models.TextChoices):
    CURRENT = "current", _("Hai cấp (từ 01/07/2025)")
    LEGACY = "legacy", _("Ba cấp (trước 01/07/2025)")


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Cấp tỉnh")
    DISTRICT = 2, _("Cấp huyện")
    COMMUNE = 3, _("Cấp xã")


class Kind(models.TextChoices):
    TINH = "tinh", _("Tỉnh")
    THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc Trung ương")
    QUAN = "quan", _("Quận")
    HUYEN = "huyen", _("Huyện")
    THI_XA = "thi_xa", _("Thị xã")
    THANH_PHO_THUOC_TINH = "thanh_pho_thuoc_tinh", _("Thành phố thuộc tỉnh")
    XA = "xa", _("Xã")
    PHUONG = "phuong", _("Phường")
    THI_TRAN = "thi_tran", _("Thị trấn")
    DAC_KHU = "dac_khu", _("Đặc khu")


KIND_LEVEL = {
    Kind.TINH: Level.PROVINCE,
    Kind.THANH_PHO_TW: Level.PROVINCE,
    Kind.QUAN: Level.DISTRICT,
    Kind.HUYEN: Level.DISTRICT,
    Kind.THI_XA: Level.DISTRICT,
    Kind.THANH_PHO_THUOC_TINH: Level.DISTRICT,
    Kind.XA: Level.COMMUNE,
    Kind.PHUONG: Level.COMMUNE,
    Kind.THI_TRAN: Level.COMMUNE,
    Kind.DAC_KHU: Level.COMMUNE,
}
