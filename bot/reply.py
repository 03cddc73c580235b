"""The engine's answer to one message — the only thing channels see.

It lives outside `bot.dialog` so that channels, tools and tests depend on this small value and not on the
conversation package; `bot.Reply` and `bot.dialog.reply.Reply` re-export it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Reply:
    text: str                                        # the message to show
    options: list[str] = field(default_factory=list) # quick replies (buttons); empty when not asking
    intent: str | None = None                        # recognised intent, None when out of scope
    policy: str | None = None                        # policy answered or under discussion
    confidence: float = 0.0                          # 0..1
    state: str = "idle"                              # where the dialog stands
    sources: list[str] = field(default_factory=list) # citations of what the text states

    def to_json(self) -> dict:
        return asdict(self)
