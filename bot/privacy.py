"""Masks what looks like an ID-card or phone number before anything a user typed reaches a log or a store.

People type numbers with separators ("138-1234-5678", "138 1234 5678", "+86 138 1234 5678",
"650102 1990 0101 123X"), so the patterns allow a space, hyphen or dot between digit groups."""
from __future__ import annotations

import re

_SEP = r"[ \-.\u3000]?"  # at most one separator between two digits
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})" + _SEP + r"((?:\d" + _SEP + r"){8})((?:\d" + _SEP + r"){3}[0-9Xx])"
                      r"(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86" + _SEP + r")?1[3-9]\d)" + _SEP + r"(\d{4})" + _SEP + r"(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[ \-]?)\d{3,4}[ \-]?(\d{4})(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{7,}(?!\d)")


def _id_card(m: re.Match) -> str:
    return m.group(1) + "********" + "***" + m.group(3)[-1]


def mask(text: str) -> str:
    text = _ID_CARD.sub(_id_card, text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return _LONG_DIGITS.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)
