"""Reading uploaded text files (spreadsheet and address-book exports) whatever their encoding.

Shared by every import (directory contacts and HR, repository items): UTF-8 with or without
BOM, UTF-16 with or without BOM, else Windows-1252 — what French spreadsheets save as "CSV".
"""

import codecs
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class UnreadableText(ValueError):
    """The bytes are not text in any encoding we accept; the message says so to the person."""


@dataclass
class DecodedText:
    text: str
    encoding: str
    bad_lines: set = field(default_factory=set)  # 1-based physical lines that were not valid text


# The files people upload by mistake in place of a CSV, by their first bytes.
SIGNATURES = (
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"PK\x03\x04", gettext_lazy("an Excel or OpenDocument workbook, or a ZIP archive")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an Excel 97-2003 workbook")),
)
# Share of control characters (other than line breaks and tabs) or undecodable bytes above which
# the "text" is binary data decoded by force: a text export has none, a few at most.
MAX_NOT_TEXT = 0.02


def _not_text_count(text: str) -> int:
    return sum(1 for c in text if (c < " " and c not in "\t\n\r\f\v") or c in "\x7f\ufffd")


def check_is_text(raw: bytes, decoded: str) -> None:
    """Refuse a binary file (a picture or a workbook renamed .csv) with a message saying so,
    rather than reading it as text and reporting a missing column."""
    for signature, kind in SIGNATURES:
        if raw.startswith(signature):
            raise UnreadableText(
                _("This file is %(kind)s, not a text CSV: open it in your spreadsheet and save it as CSV.")
                % {"kind": kind}
            )
    sample = decoded[:8192]
    if sample and _not_text_count(sample) > MAX_NOT_TEXT * len(sample):
        raise UnreadableText(_("This file is not text: a CSV or vCard file is text. Is it the right file?"))


def decode_bytes(raw: bytes) -> DecodedText:
    """Text from a spreadsheet or address-book export, whatever its encoding; a binary file is
    refused (UnreadableText)."""
    decoded = _decode(raw)
    check_is_text(raw, decoded.text)
    return decoded


def _decode(raw: bytes) -> DecodedText:
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(raw[len(codecs.BOM_UTF8) :], "utf-8-sig")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(raw.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableText(_("The file says it is UTF-16 but cannot be read as such.")) from exc
    head = raw[:400]
    if head and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM: every other byte of ASCII text is zero.
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return DecodedText(raw.decode(encoding), encoding)
        except UnicodeDecodeError as exc:
            raise UnreadableText(_("This file is not text we can read.")) from exc
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    non_ascii = [line for line in lines if not line.isascii()]
    utf8_ok = sum(1 for line in non_ascii if _is_utf8(line))
    if utf8_ok and utf8_ok >= len(non_ascii) - utf8_ok:
        # Mostly UTF-8 with a few broken lines: keep UTF-8 and reject those lines.
        return _decode_utf8(raw, "utf-8")
    # Windows-1252 is what French spreadsheets save as "CSV"; its 5 unused bytes become U+FFFD.
    return DecodedText(raw.decode("cp1252", errors="replace"), "windows-1252")


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_utf8(raw: bytes, encoding: str) -> DecodedText:
    bad = {i for i, line in enumerate(raw.split(b"\n"), start=1) if not _is_utf8(line)}
    return DecodedText(raw.decode("utf-8", errors="replace"), encoding, bad)
