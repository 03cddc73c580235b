"""The form the grounding check compares figures in (no whitespace, ASCII digits), for records and sources."""
from __future__ import annotations

import re

_FOLD = str.maketrans("０１２３４５６７８９％．－", "0123456789%.-")


def fold(text: str) -> str:
    """The comparison form: no whitespace, ASCII digits and percent signs."""
    return re.sub(r"\s+", "", text.translate(_FOLD))
