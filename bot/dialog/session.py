"""What the bot remembers about one conversation; stored as JSON with a schema version."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

SCHEMA_VERSION = 1
MAX_HISTORY = 12

# Dialog states: where the conversation stands.
IDLE = "idle"                       # nothing pending; waiting for a question
CLARIFYING = "clarifying"           # two topics were close; asked which one
ASKING_REGION = "asking_region"     # the topic differs by region; asked where
CHECKING = "checking"               # asking the eligibility conditions one by one
CHOOSING = "choosing_policy"        # a region has several policies on the topic; asked which
ASKING_DISTRICT = "asking_district" # the office differs by district; asked which
ANSWERED = "answered"               # gave an answer; offering follow-ups
FALLBACK = "fallback"               # could not help (out of scope / unrecognised); offered a human
ERROR = "error"                     # the session store failed

STATES = (IDLE, CLARIFYING, ASKING_REGION, CHOOSING, CHECKING, ASKING_DISTRICT, ANSWERED, FALLBACK, ERROR)


@dataclass
class Session:
    version: int = SCHEMA_VERSION
    state: str = IDLE
    topic: str | None = None
    policy: str | None = None
    region: str | None = None          # remembered for the rest of the session
    place: str | None = None           # remembered district / 旗县市 / 师市
    aspect: str | None = None          # what was asked, answered once the region is known
    check: bool = False                # the question asked for an eligibility check
    answers: dict[str, str] = field(default_factory=dict)   # condition number → chosen option
    prefilled: dict[str, str] = field(default_factory=dict)  # condition number → the words that answered it
    pending: list[list[str]] = field(default_factory=list)   # [label, action] of the buttons on offer
    retries: int = 0
    related: list[str] = field(default_factory=list)  # other policies of the topic offered as buttons
    prompt: str = ""                   # the last question asked, shown again on 返回 or a bad answer
    context_text: str = ""             # the user's words about the current topic (for condition cues)
    history: list[dict] = field(default_factory=list)        # earlier snapshots, for 返回

    def snapshot(self) -> dict:
        data = asdict(self)
        data.pop("history")
        return data

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> "Session":
        """Unknown or old-version state starts a fresh session rather than misreading it."""
        if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
            return cls()
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            return cls()

    @classmethod
    def restore(cls, snapshot: dict, history: list[dict]) -> "Session":
        session = cls.from_json({**snapshot, "history": history})
        return session
