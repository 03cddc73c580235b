"""What the engine's reply looks like on Telegram: HTML-escaped parts of at most 4,096 UTF-16 units, cut on
line boundaries, with the reply's options as a one-time reply keyboard on the last part."""
from __future__ import annotations

import html
from typing import Sequence

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

MAX_MESSAGE_CHARS = 4096           # Bot API limit, counted in UTF-16 code units after entity parsing
KEYBOARD_PLACEHOLDER = "点按钮选择，或直接输入问题"
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始使用，选择所在地区"),
    ("help", "使用说明"),
    ("reset", "重新开始对话"),
    ("topics", "我能回答哪些政策话题"),
    ("region", "更改所在地区"),
)
_COMMAND_TEXTS = frozenset("/" + name for name, _ in COMMANDS)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _hard_split(line: str, limit: int) -> list[str]:
    parts, current, size = [], [], 0
    for ch in line:
        n = 2 if ord(ch) > 0xFFFF else 1
        if size + n > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        parts.append("".join(current))
    return parts


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split plain text into parts of at most `limit` UTF-16 units, on line boundaries when possible.

    The line break at a split point is dropped; a single line longer than the limit is cut inside.
    Parts that would be blank (Telegram refuses empty messages) are left out."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        n = _utf16_len(line)
        if n > limit:
            if current:
                parts.append("\n".join(current))
            pieces = _hard_split(line, limit)
            parts.extend(pieces[:-1])
            current, size = [pieces[-1]], _utf16_len(pieces[-1])
            continue
        extra = n + (1 if current else 0)
        if current and size + extra > limit:
            parts.append("\n".join(current))
            current, size = [line], n
        else:
            current.append(line)
            size += extra
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()]


def escape(part: str) -> str:
    """HTML parse mode: the engine's text is plain, so every <, > and & is shown as typed."""
    return html.escape(part, quote=False)


def keyboard_for(options: Sequence[str]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The reply's options as a one-time reply keyboard; no options removes the previous keyboard."""
    if not options:
        return ReplyKeyboardRemove()
    longest = max(len(o) for o in options)
    per_row = 3 if longest <= 4 else 2 if longest <= 9 else 1
    rows = [[KeyboardButton(o) for o in options[i:i + per_row]] for i in range(0, len(options), per_row)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True,
                               input_field_placeholder=KEYBOARD_PLACEHOLDER)


def engine_text(text: str) -> str:
    """What the engine gets: the text unchanged, except that '/start@MyBot' and a deep-link '/start xyz'
    become plain '/start' (the engine knows the bare commands)."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head = stripped.split(maxsplit=1)[0]
        command = head.split("@", 1)[0].lower()
        if command in _COMMAND_TEXTS:
            return command
    return text
