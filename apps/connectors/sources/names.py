"""How column and key names compare: case, spaces, dots and underscores do not count."""

from __future__ import annotations

import re


def norm(name: str) -> str:
    """Normalise a column or key name: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())
