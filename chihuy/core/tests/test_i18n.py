"""The English catalogue is complete and compiled, and the language switcher works.

Source strings are Vietnamese (the default language); ``locale/en`` holds the English
translation. The .po file is parsed with the standard library only (no polib in CI).
"""

from __future__ import annotations

import ast
import gettext as stdlib_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
LOGIN = "/accounts/login/"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A minimal .po reader, enough for makemessages output. Obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    flags: set[str] = set()
    field_: tuple[str, int] = ("", 0)
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?", keyword)
            assert match, f"{path}:{lineno}: unexpected keyword {keyword!r}"
            name, index = match.group(1), int(match.group(2) or 0)
            if name == "msgctxt" or (name == "msgid" and field_[0] != "msgctxt"):
                entries.append(Entry(flags=flags, line=lineno))
                flags = set()
            field_ = (name, index)
            entry = entries[-1]
            if name == "msgctxt":
                entry.msgctxt = ""
            elif name == "msgid_plural":
                entry.msgid_plural = ""
            elif name == "msgstr":
                entry.msgstr[index] = ""
        entry = entries[-1]
        name, index = field_
        if name == "msgstr":
            entry.msgstr[index] += value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            entry.msgctxt = (entry.msgctxt or "") + value
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(PO_PATH)


def messages(catalogue: list[Entry]) -> list[Entry]:
    return [e for e in catalogue if e.msgid]


def test_catalogue_files_exist():
    assert PO_PATH.is_file()
    assert MO_PATH.is_file(), "run: manage.py compilemessages -l en"


def test_catalogue_is_not_empty(catalogue):
    assert len(messages(catalogue)) > 100


def test_header_declares_utf8_and_english_plurals(catalogue):
    header = next(e for e in catalogue if not e.msgid)
    assert "fuzzy" not in header.flags
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Language: en" in header.msgstr[0]
    assert "nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_no_untranslated_entries(catalogue):
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in messages(catalogue)
        if not e.msgstr or any(not s for s in e.msgstr.values()) or (e.msgid_plural and len(e.msgstr) < 2)
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_no_fuzzy_entries(catalogue):
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in catalogue if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)


def test_placeholders_are_kept(catalogue):
    broken = []
    for e in messages(catalogue):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid] + [e.msgid_plural] * (len(e.msgstr) - 1)
        for source, (_, translated) in zip(sources, sorted(e.msgstr.items()), strict=False):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                broken.append(f"line {e.line}: {source!r} -> {translated!r}")
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The committed .mo must be recompiled whenever the .po changes."""
    with MO_PATH.open("rb") as fh:
        mo = stdlib_gettext.GNUTranslations(fh)
    stale = []
    for e in messages(catalogue):
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if mo._catalog.get(key) != e.msgstr[0]:
                stale.append(e.msgid)
        elif any(mo._catalog.get((key, i)) != s for i, s in e.msgstr.items()):
            stale.append(e.msgid)
    assert not stale, "django.mo is out of date; run compilemessages. Stale: " + ", ".join(stale[:10])


def test_key_strings_translate_to_english():
    with translation.override("en"):
        assert gettext("Đăng nhập") == "Sign in"
        assert gettext("Đăng xuất") == "Sign out"
        assert gettext("Trung tâm chỉ huy") == "Command centres"
        assert gettext("Chỉ huy trưởng") == "Commander"
        assert gettext("Phó chỉ huy trưởng") == "Deputy commander"
        assert gettext("Bộ phận thường trực") == "Standing unit"
        assert gettext("Cán bộ trực") == "Duty officer"
        assert gettext("Đường dây nóng") == "Hotline"
        assert gettext("Lịch trực") == "Duty roster"
        assert gettext("Quyết định thành lập") == "Establishment decision"
        assert gettext("Cách ly") == "Quarantine"
        assert gettext("Phong tỏa") == "Lockdown"
        assert gettext("Tệp quá lớn (%(size).1f MB); tối đa %(limit).0f MB.") % {
            "size": 12.34,
            "limit": 10,
        } == ("File too large (12.3 MB); the maximum is 10 MB.")
        msg = "Còn %(n)s mã dự phòng chưa dùng."
        assert ngettext(msg, msg, 1) % {"n": 1} == "1 unused backup code left."
        assert ngettext(msg, msg, 7) % {"n": 7} == "7 unused backup codes left."


def test_vietnamese_stays_the_source_language():
    with translation.override("vi"):
        assert gettext("Đăng nhập") == "Đăng nhập"


def test_choice_labels_follow_the_active_language():
    from chihuy.centres.choices import CentreStatus, Role

    with translation.override("en"):
        assert str(Role.COMMANDER.label) == "Commander"
        assert str(CentreStatus.ACTIVE.label) == "Active"
    with translation.override("vi"):
        assert str(Role.COMMANDER.label) == "Chỉ huy trưởng"


@pytest.mark.django_db
def test_login_page_defaults_to_vietnamese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_switching_to_english_via_setlang(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Username" in html
    assert "Password" in html
    assert "Forgotten your password?" in html
    assert "Đăng nhập" not in html

    client.post("/i18n/setlang/", {"language": "vi", "next": LOGIN})
    html = client.get(LOGIN).content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
