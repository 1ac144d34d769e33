"""Demo data: the Vĩnh Phúc province of the 2021 instructions (pre-2025 structure) and
Quảng Ninh in the current two-tier structure with a forward command post (R29).

Names of people are invented; places, codes, the hotline and the decision number
come from the source documents and the official code lists. Everything is created
through the services, so the audit log shows it as it would in real use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from chihuy.centres import services
from chihuy.centres.choices import AgencyKind, CentreLevel, CentreStatus, Role, Sector
from chihuy.centres.models import Centre
from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.models import Jurisdiction

DEMO_PASSWORD = "chihuy-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str


# (username, full name, role, agency short name or "", title, sectors)
VP_PROVINCE_PEOPLE = [
    ("vp.chihuytruong", "Trần Quốc Hưng", Role.COMMANDER, "", "Chủ tịch UBND tỉnh", []),
    (
        "vp.pho1",
        "Nguyễn Thị Thu Hà",
        Role.DEPUTY,
        "",
        "Phó Chủ tịch UBND tỉnh",
        [Sector.TREATMENT, Sector.TESTING, Sector.VACCINATION],
    ),
    (
        "vp.pho2",
        "Lê Minh Đức",
        Role.DEPUTY,
        "CA",
        "Giám đốc Công an tỉnh",
        [Sector.SECURITY, Sector.LOCKDOWN],
    ),
    ("vp.pho3", "Phạm Văn Long", Role.DEPUTY, "SYT", "Giám đốc Sở Y tế", [Sector.ISOLATION, Sector.FOOD]),
    ("vp.chqs", "Đỗ Văn Khánh", Role.MEMBER, "CHQS", "Chỉ huy trưởng Bộ CHQS tỉnh", []),
    ("vp.tttt", "Vũ Thị Mai", Role.MEMBER, "TTTT", "Giám đốc Sở TT&TT", []),
    ("vp.congthuong", "Hoàng Văn Sơn", Role.MEMBER, "SCT", "Giám đốc Sở Công Thương", []),
    ("vp.vanphong", "Bùi Thị Lan", Role.STANDING, "VP", "Phó Chánh Văn phòng UBND tỉnh", []),
    ("vp.thuongtruc", "Ngô Văn Tùng", Role.STANDING, "SYT", "Chuyên viên Sở Y tế", []),
    ("vp.truc.yte1", "Đặng Thị Hương", Role.DUTY_OFFICER, "SYT", "Trực chính – Sở Y tế", []),
    ("vp.truc.yte2", "Trịnh Văn Nam", Role.DUTY_OFFICER, "SYT", "Trực dự phòng – Sở Y tế", []),
    ("vp.truc.ca1", "Lý Văn Thắng", Role.DUTY_OFFICER, "CA", "Trực chính – Công an tỉnh", []),
    ("vp.truc.ca2", "Mai Thị Hoa", Role.DUTY_OFFICER, "CA", "Trực dự phòng – Công an tỉnh", []),
    ("vp.truc.vp", "Cao Văn Phúc", Role.DUTY_OFFICER, "VP", "Chuyên viên trực – Văn phòng UBND tỉnh", []),
]
VP_AGENCIES = [
    ("Sở Y tế", "SYT", AgencyKind.HEALTH),
    ("Công an tỉnh", "CA", AgencyKind.POLICE),
    ("Văn phòng UBND tỉnh", "VP", AgencyKind.OFFICE),
    ("Bộ Chỉ huy Quân sự tỉnh", "CHQS", AgencyKind.MILITARY),
    ("Sở Thông tin và Truyền thông", "TTTT", AgencyKind.ICT),
    ("Sở Kế hoạch và Đầu tư", "KHĐT", AgencyKind.PLANNING),
    ("Ban Quản lý các Khu công nghiệp", "KCN", AgencyKind.OTHER),
    ("Sở Công Thương", "SCT", AgencyKind.INDUSTRY),
    ("Sở Giao thông Vận tải", "GTVT", AgencyKind.TRANSPORT),
]
LOCAL_AGENCIES = [
    ("Trung tâm Y tế", "YT", AgencyKind.HEALTH),
    ("Công an", "CA", AgencyKind.POLICE),
    ("Văn phòng HĐND và UBND", "VP", AgencyKind.OFFICE),
    ("Ban Chỉ huy Quân sự", "QS", AgencyKind.MILITARY),
]


def _jurisdiction(structure: str, level: int, code: int) -> Jurisdiction:
    try:
        return Jurisdiction.objects.get(structure=structure, level=level, code=code)
    except Jurisdiction.DoesNotExist as exc:
        raise CommandError(
            "Chưa có dữ liệu đơn vị hành chính. Hãy chạy: manage.py load_jurisdictions --structure both"
        ) from exc


def _user(username: str, full_name: str):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": f"{username}@demo.chihuy.vn"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _activate(centre: Centre, decision: str, date: dt.date, rules_on: dt.date | None) -> None:
    services.centre_update(
        centre=centre, decision_number=decision, decision_date=date, rules_issued_on=rules_on
    )
    services.centre_set_status(centre=centre, status=CentreStatus.ACTIVE, on=date + dt.timedelta(days=1))


def _staff(centre: Centre, people, agencies: dict) -> None:
    for username, full_name, role, agency, title, sectors in people:
        services.member_create(
            centre=centre,
            user=_user(username, full_name),
            role=role,
            agency=agencies.get(agency),
            title=title,
            sectors=sectors,
        )


def _agencies(centre: Centre, rows) -> dict:
    return {
        short: services.agency_create(centre=centre, name=name, short_name=short, kind=kind, order=i)
        for i, (name, short, kind) in enumerate(rows, start=1)
    }


def _local_people(prefix: str, place: str) -> list:
    return [
        (
            f"{prefix}.chihuytruong",
            f"Chủ tịch UBND {place}",
            Role.COMMANDER,
            "",
            f"Chủ tịch UBND {place}",
            [],
        ),
        (
            f"{prefix}.pho",
            f"Phó Chủ tịch UBND {place}",
            Role.DEPUTY,
            "",
            f"Phó Chủ tịch UBND {place}",
            [Sector.ISOLATION, Sector.SECURITY],
        ),
        (f"{prefix}.truc", f"Cán bộ trực {place}", Role.DUTY_OFFICER, "YT", "Cán bộ trực", []),
    ]


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo centres and people; refuses to run twice."""
    if Centre.objects.filter(short_code="VP").exists():
        raise CommandError("Dữ liệu mẫu đã được nạp.")
    vp = _jurisdiction(Structure.LEGACY, Level.PROVINCE, 26)
    vy = _jurisdiction(Structure.LEGACY, Level.DISTRICT, 243)
    tich_son = _jurisdiction(Structure.LEGACY, Level.COMMUNE, 8707)
    lien_bao = _jurisdiction(Structure.LEGACY, Level.COMMUNE, 8710)

    province = services.centre_create(
        name="Trung tâm chỉ huy phòng, chống dịch COVID-19 tỉnh Vĩnh Phúc",
        short_code="VP",
        level=CentreLevel.PROVINCE,
        parent=None,
        jurisdiction=vp,
        proposed_on=dt.date(2021, 8, 10),
        hotline="02113.858.858",
        hotline_fallback="0915.186.568",
        address="Trụ sở HĐND-UBND tỉnh Vĩnh Phúc, đường Nguyễn Trãi, phường Đống Đa, thành phố Vĩnh Yên",
        room_primary="Phòng họp Lãnh đạo UBND tỉnh, tầng 2",
        room_primary_capacity=30,
        room_fallback="Hội trường tầng 3, trụ sở HĐND-UBND tỉnh",
        room_fallback_capacity=150,
    )
    _activate(province, "2230/QĐ-UBND", dt.date(2021, 8, 13), dt.date(2021, 8, 16))
    agencies = _agencies(province, VP_AGENCIES)
    _staff(province, VP_PROVINCE_PEOPLE, agencies)
    fallback = province.members.get(user__username="vp.truc.vp")
    services.centre_update(centre=province, hotline_fallback_member=fallback)

    district = services.centre_create(
        name="Trung tâm chỉ huy phòng, chống dịch thành phố Vĩnh Yên",
        short_code="VY",
        level=CentreLevel.DISTRICT,
        parent=province,
        jurisdiction=vy,
        proposed_on=dt.date(2021, 8, 16),
        hotline="02113.861.115",
        address="UBND thành phố Vĩnh Yên",
        room_primary="Phòng họp UBND thành phố",
        room_primary_capacity=25,
    )
    _activate(district, "1520/QĐ-UBND", dt.date(2021, 8, 18), dt.date(2021, 8, 20))
    d_agencies = _agencies(district, LOCAL_AGENCIES)
    _staff(
        district,
        [
            *_local_people("vy", "thành phố Vĩnh Yên"),
            ("vy.thuongtruc", "Nguyễn Văn Bình", Role.STANDING, "VP", "Chuyên viên Văn phòng", []),
            ("vy.yte", "Trần Thị Ngọc", Role.MEMBER, "YT", "Giám đốc Trung tâm Y tế", []),
        ],
        d_agencies,
    )

    for jur, code, prefix, rules in ((tich_son, "TS", "ts", True), (lien_bao, "LB", "lb", False)):
        commune = services.centre_create(
            name=f"Trung tâm chỉ huy phòng, chống dịch {jur.name[0].lower()}{jur.name[1:]}",
            short_code=code,
            level=CentreLevel.COMMUNE,
            parent=district,
            jurisdiction=jur,
            proposed_on=dt.date(2021, 8, 20),
            hotline="0211.3861.201" if rules else "0211.3861.202",
            address=f"UBND {jur.name}",
        )
        if rules:
            _activate(commune, f"{code}-45/QĐ-UBND", dt.date(2021, 8, 21), dt.date(2021, 8, 23))
        else:
            services.centre_update(
                centre=commune, decision_number=f"{code}-46/QĐ-UBND", decision_date=dt.date(2021, 8, 22)
            )
            services.centre_set_status(
                centre=commune, status=CentreStatus.ESTABLISHED, on=dt.date(2021, 8, 22)
            )
        c_agencies = _agencies(commune, LOCAL_AGENCIES)
        _staff(commune, _local_people(prefix, jur.name), c_agencies)

    # Quảng Ninh in the current structure: provincial command post and a forward post (R29, R32).
    qn = _jurisdiction(Structure.CURRENT, Level.PROVINCE, 22)
    qn_province = services.centre_create(
        name="Sở chỉ huy phòng, chống dịch tỉnh Quảng Ninh",
        short_code="QN",
        level=CentreLevel.PROVINCE,
        parent=None,
        jurisdiction=qn,
        proposed_on=dt.date(2025, 7, 1),
        hotline="0203.3838.115",
    )
    _activate(qn_province, "3150/QĐ-UBND", dt.date(2025, 7, 2), dt.date(2025, 7, 5))
    region_codes = [6652, 6658, 6661, 6673, 6676, 6685, 6688, 6706]
    region = [_jurisdiction(Structure.CURRENT, Level.COMMUNE, c) for c in region_codes]
    forward = services.centre_create(
        name="Sở chỉ huy tiền phương vùng Hạ Long",
        short_code="QNHL",
        level=CentreLevel.FORWARD,
        parent=qn_province,
        region=region,
        proposed_on=dt.date(2025, 7, 3),
        hotline="0203.3838.116",
    )
    _activate(forward, "3151/QĐ-UBND", dt.date(2025, 7, 4), None)
    ha_long = services.centre_create(
        name="Trung tâm chỉ huy phòng, chống dịch phường Hạ Long",
        short_code="HLG",
        level=CentreLevel.COMMUNE,
        parent=forward,
        jurisdiction=_jurisdiction(Structure.CURRENT, Level.COMMUNE, 6688),
        proposed_on=dt.date(2025, 7, 5),
        hotline="0203.3825.555",
    )
    _activate(ha_long, "88/QĐ-UBND", dt.date(2025, 7, 6), dt.date(2025, 7, 8))
    _staff(
        qn_province,
        [("qn.chihuytruong", "Hoàng Văn Quảng", Role.COMMANDER, "", "Chủ tịch UBND tỉnh", [])],
        {},
    )
    _staff(
        forward,
        [("qn.tienphuong", "Lương Thị Hải", Role.COMMANDER, "", "Phó Chủ tịch UBND tỉnh", [])],
        {},
    )
    _staff(ha_long, _local_people("hl", "phường Hạ Long"), _agencies(ha_long, LOCAL_AGENCIES))

    admin = _user("admin", "Quản trị hệ thống")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    _seed_activity(province)
    return demo_logins()


INTAKE_PROCEDURE = "\n".join(
    [
        '1. Nghe máy trước hồi chuông thứ ba; chào: "Trung tâm chỉ huy phòng, chống dịch xin nghe".',
        "2. Hỏi và ghi: họ tên, số điện thoại, địa chỉ nơi xảy ra sự việc, nội dung.",
        "3. Phân loại theo lĩnh vực; xác định khẩn cấp (nguy hiểm tính mạng, ổ dịch mới...).",
        "4. Việc khẩn cấp: lưu ngay để hệ thống báo chỉ huy trực; sau 5 phút chưa xác nhận thì gọi điện.",
        "5. Việc ngoài địa bàn, thuộc cấp khác: báo người gọi đường dây nóng nơi có thẩm quyền, chuyển đi.",
        "6. Việc không khẩn cấp: ghi sổ, tổng hợp báo cáo tại buổi giao ban 17 giờ.",
        "7. Trả lời người báo kết quả xử lý và ghi vào sổ.",
    ]
)


def _seed_activity(province: Centre) -> None:
    """What a running centre has besides its people: its intake procedure, this month's roster,
    the daily briefing schedule, a few directives and channel messages."""
    from chihuy.intake.services import procedure_save
    from chihuy.roster.services import roster_generate, roster_publish, roster_setup

    standing = province.members.filter(role=Role.STANDING).select_related("user").first()
    procedure_save(centre=province, body=INTAKE_PROCEDURE, by=standing.user if standing else None)
    roster_setup(centre=province)
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday())
    roster = roster_generate(centre=province, start=start, end=start + dt.timedelta(days=27))
    roster_publish(roster=roster)

    from chihuy.announcements.demo import seed_demo_channel
    from chihuy.briefings.demo import seed_demo_briefings
    from chihuy.directives.demo import seed_demo_directives
    from chihuy.reports.demo import seed_demo_reports

    seed_demo_reports(province, days=14)
    seed_demo_briefings(province)
    seed_demo_directives(province)
    seed_demo_channel(province)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("admin", "Quản trị hệ thống (toàn quyền, trang /admin/)"),
        DemoLogin("vp.chihuytruong", "Chỉ huy trưởng, TTCH tỉnh Vĩnh Phúc (xem toàn tỉnh)"),
        DemoLogin("vp.pho1", "Phó chỉ huy trưởng, TTCH tỉnh Vĩnh Phúc"),
        DemoLogin("vp.thuongtruc", "Bộ phận thường trực, TTCH tỉnh Vĩnh Phúc"),
        DemoLogin("vp.truc.yte1", "Cán bộ trực, TTCH tỉnh Vĩnh Phúc"),
        DemoLogin("vy.chihuytruong", "Chỉ huy trưởng, TTCH thành phố Vĩnh Yên"),
        DemoLogin("ts.truc", "Cán bộ trực, TTCH phường Tích Sơn"),
        DemoLogin("lb.chihuytruong", "Chỉ huy trưởng, TTCH phường Liên Bảo"),
        DemoLogin("qn.chihuytruong", "Chỉ huy trưởng, Sở chỉ huy tỉnh Quảng Ninh (cấu trúc hai cấp)"),
        DemoLogin("qn.tienphuong", "Chỉ huy trưởng, Sở chỉ huy tiền phương vùng Hạ Long"),
    ]
