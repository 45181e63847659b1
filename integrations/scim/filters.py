"""The SCIM filters identity providers send to match resources: `attribute eq "value"` (RFC 7644
§3.4.2.2), e.g. `userName eq "bjensen"`, `externalId eq "…"`, `displayName eq "…"`. Anything else
is refused with invalidFilter rather than ignored (an ignored filter would list everybody)."""

import re

from django.utils.translation import gettext as _

from integrations.scim.errors import ScimError

FILTER = re.compile(r'^\s*([A-Za-z0-9:._\-]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
URN = re.compile(r"^urn:ietf:params:scim:schemas:core:2\.0:(user|group):", re.IGNORECASE)


def parse_eq_filter(text: str, allowed: set[str]) -> tuple[str, str]:
    """(attribute in lower case, value) for `attr eq "value"`; ScimError 400 otherwise."""
    match = FILTER.match(text or "")
    if not match:
        raise ScimError(400, _('Only filters of the form attribute eq "value" are supported.'), "invalidFilter")
    attribute = URN.sub("", match.group(1)).lower()
    if attribute not in allowed:
        raise ScimError(400, _("Filtering on %(attr)s is not supported.") % {"attr": match.group(1)}, "invalidFilter")
    value = re.sub(r"\\(.)", r"\1", match.group(2))
    return attribute, value
