"""Contact book out: vCard 3.0 (vobject) and 4.0 (RFC 6350, written directly: vobject only writes 3.0), CSV."""

import base64

import vobject

from rse.lib.spreadsheets import csv_text

CSV_COLUMNS = ["name", "company", "job_title", "emails", "phones", "url", "notes", "tags"]


def _split_name(name):
    parts = name.rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (name, "")


def vcard3(contact) -> str:
    card = vobject.vCard()
    card.add("fn").value = contact.name
    given, family = _split_name(contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.job_title:
        card.add("title").value = contact.job_title
    for i, email in enumerate(contact.emails):
        line = card.add("email")
        line.value = email
        line.type_param = "INTERNET,PREF" if i == 0 else "INTERNET"
    for phone in contact.phones:
        card.add("tel").value = phone
    if contact.url:
        card.add("url").value = contact.url
    if contact.notes:
        card.add("note").value = contact.notes
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    photo = _photo_bytes(contact)
    if photo:
        line = card.add("photo")
        line.encoding_param = "b"
        line.type_param = "JPEG"
        line.value = photo
    return card.serialize()


def _photo_bytes(contact) -> bytes:
    if not contact.photo:
        return b""
    try:
        with contact.photo.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """RFC 6350 §3.2: lines of at most 75 octets, continued with a leading space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def vcard4(contact) -> str:
    given, family = _split_name(contact.name)
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_escape(contact.name)}", f"N:{_escape(family)};{_escape(given)};;;"]
    if contact.company:
        lines.append(f"ORG:{_escape(contact.company)}")
    if contact.job_title:
        lines.append(f"TITLE:{_escape(contact.job_title)}")
    for i, email in enumerate(contact.emails):
        lines.append(f"EMAIL{';PREF=1' if i == 0 else ''}:{_escape(email)}")
    lines += [f"TEL:{_escape(phone)}" for phone in contact.phones]
    if contact.url:
        lines.append(f"URL:{contact.url}")
    if contact.notes:
        lines.append(f"NOTE:{_escape(contact.notes)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    photo = _photo_bytes(contact)
    if photo:
        lines.append("PHOTO:data:image/jpeg;base64," + base64.b64encode(photo).decode())
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def vcards(contacts, version="3.0") -> str:
    write = vcard4 if version == "4.0" else vcard3
    return "".join(write(c) for c in contacts)


def contacts_csv(contacts) -> str:
    return csv_text(
        CSV_COLUMNS,
        ([c.name, c.company, c.job_title, "; ".join(c.emails), "; ".join(c.phones), c.url, c.notes,
          "; ".join(c.tags)] for c in contacts),
    )  # fmt: skip
