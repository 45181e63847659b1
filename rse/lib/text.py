import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(value: str) -> str:
    """Case- and accent-insensitive form for matching: "Hélène  Dupré" → "helene dupre"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()
