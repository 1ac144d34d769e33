from django.db import models
from django.utils.translation import gettext_lazy as _


class CentreLevel(models.TextChoices):
    NATIONAL = "national", _("Trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    FORWARD = "forward", _("Sở chỉ huy tiền phương")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class CentreStatus(models.TextChoices):
    """R28: a centre is proposed, established by decision, operates, and dissolves itself."""

    PROPOSED = "proposed", _("Đề xuất thành lập")
    ESTABLISHED = "established", _("Đã có quyết định thành lập")
    ACTIVE = "active", _("Đang hoạt động")
    DISSOLVED = "dissolved", _("Đã giải thể")

    @property
    def colour(self) -> str:
        return {"proposed": "grey", "established": "blue", "active": "green", "dissolved": "red"}[self.value]


STATUS_ORDER = [CentreStatus.PROPOSED, CentreStatus.ESTABLISHED, CentreStatus.ACTIVE, CentreStatus.DISSOLVED]
STATUS_DATE_FIELD = {
    CentreStatus.PROPOSED: "proposed_on",
    CentreStatus.ESTABLISHED: "established_on",
    CentreStatus.ACTIVE: "activated_on",
    CentreStatus.DISSOLVED: "dissolved_on",
}


class Role(models.TextChoices):
    COMMANDER = "commander", _("Chỉ huy trưởng")
    DEPUTY = "deputy", _("Phó chỉ huy trưởng")
    MEMBER = "member", _("Thành viên")
    STANDING = "standing", _("Bộ phận thường trực")
    DUTY_OFFICER = "duty_officer", _("Cán bộ trực")

    @property
    def colour(self) -> str:
        return {
            "commander": "red",
            "deputy": "orange",
            "member": "blue",
            "standing": "purple",
            "duty_officer": "green",
        }[self.value]


LEADER_ROLES = frozenset({Role.COMMANDER, Role.DEPUTY})


class Sector(models.TextChoices):
    """Fields of work of a centre (R24, R27); a deputy directs one or more (R9)."""

    ISOLATION = "cach_ly", _("Cách ly")
    LOCKDOWN = "phong_toa", _("Phong tỏa")
    TREATMENT = "dieu_tri", _("Điều trị")
    FOOD = "luong_thuc", _("Lương thực – thực phẩm")
    SECURITY = "an_ninh", _("An ninh trật tự")
    TESTING = "xet_nghiem", _("Xét nghiệm")
    VACCINATION = "tiem_chung", _("Tiêm chủng")
    COMMUNICATION = "truyen_thong", _("Truyền thông")
    OTHER = "khac", _("Khác")


class AgencyKind(models.TextChoices):
    HEALTH = "health", _("Y tế")
    POLICE = "police", _("Công an")
    OFFICE = "office", _("Văn phòng UBND")
    MILITARY = "military", _("Quân sự")
    ICT = "ict", _("Thông tin và Truyền thông")
    INDUSTRY = "industry", _("Công thương")
    TRANSPORT = "transport", _("Giao thông vận tải")
    PLANNING = "planning", _("Kế hoạch và Đầu tư")
    FINANCE = "finance", _("Tài chính")
    MEDIA = "media", _("Văn hoá – Truyền thông")
    PARTY = "party", _("Văn phòng Đảng, HĐND")
    OTHER = "other", _("Khác")
