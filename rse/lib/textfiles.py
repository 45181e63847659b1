"""Reading uploaded text files (spreadsheet and address-book exports) whatever their encoding.

Shared by every import (directory contacts and HR, repository items): UTF-8 with or without
BOM, UTF-16 with or without BOM, else Windows-1252 — what French spreadsheets save as "CSV".
"""

import codecs
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class UnreadableText(ValueError):
    """The bytes are not text in any encoding we accept; the message says so to the person."""


@dataclass
class DecodedText:
    text: str
    encoding: str
    bad_lines: set = field(default_factory=set)  # 1-based physical lines that were not valid text


def decode_bytes(raw: bytes) -> DecodedText:
    """Text from a spreadsheet or address-book export, whatever its encoding."""
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
