"""Typed records of the knowledge base; everything the dialog says is read from these."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class SourceStatus(str, Enum):
    IN_FORCE = "in_force"
    ENDED = "ended"
    DRAFT = "draft"


@dataclass(frozen=True)
class SourceDoc:
    key: str
    file: str
    title: str
    doc_no: str | None
    issuer: str | None
    region: str
    date: date | None
    year: int | None
    status: SourceStatus
    note: str | None
    caveat: str | None = None
    text: str = field(repr=False, default="")


@dataclass(frozen=True)
class Condition:
    """One eligibility requirement, asked as a question with buttons."""

    ask: str
    options: tuple[str, ...]
    passing: tuple[str, ...]
    unknown: tuple[str, ...]
    fail: str
    remedy: str | None
    cues: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def outcome(self, option: str) -> str:
        """'pass', 'unknown' or 'fail' for a chosen option."""
        if option in self.passing:
            return "pass"
        if option in self.unknown:
            return "unknown"
        return "fail"


@dataclass(frozen=True)
class Validity:
    start: date | None
    until: date | None
    text: str | None


@dataclass(frozen=True)
class Correction:
    wrong: str
    right: str
    why: str


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    button: str         # the short name on a button (≤ 12 characters)
    topic: str
    region: str
    source: str
    section: str
    section_title: str | None
    audience: str | None
    summary: str | None
    conditions: tuple[Condition, ...]
    standard: str | None
    validity: Validity
    process: str | None
    materials: tuple[str, ...]
    deadline: str | None
    channels_online: tuple[str, ...]
    channels_onsite: tuple[str, ...]
    contacts: tuple[str, ...]
    contact_text: str | None
    notes: tuple[str, ...]
    corrections: tuple[Correction, ...]
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class OfficeEntry:
    place: str | None
    office: str | None
    address: str | None
    phones: tuple[str, ...]


@dataclass(frozen=True)
class OfficeTable:
    id: str
    source: str
    section: str | None
    title: str | None
    entries: tuple[OfficeEntry, ...]
    line: int = 0

    @property
    def places(self) -> tuple[str, ...]:
        seen: list[str] = []
        for entry in self.entries:
            if entry.place and entry.place not in seen:
                seen.append(entry.place)
        return tuple(seen)


@dataclass(frozen=True)
class Place:
    name: str
    region: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    name: str
    short: str
    aliases: tuple[str, ...]
    covered_by: tuple[str, ...]
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    about: str


@dataclass(frozen=True)
class Standing:
    """Where a policy stands on a given day."""

    ended: bool
    draft: bool
    until: date | None

    @property
    def label(self) -> str:
        if self.draft and self.ended:
            return "征求意见稿（已过期）"
        if self.draft:
            return "征求意见稿"
        if self.ended:
            return "已结束"
        return "有效"


class FaqAspect(str, Enum):
    """What kind of detail an entry answers; the planner maps question cues onto these."""

    AMOUNT = "amount"
    DURATION = "duration"
    CONDITION = "condition"
    AUDIENCE = "audience"
    EXCLUDED = "excluded"
    MATERIALS = "materials"
    CHANNEL = "channel"
    PROCESS = "process"
    DEADLINE = "deadline"
    COMBINE = "combine"
    WHAT_IF = "what_if"
    CONTACT = "contact"
    VALIDITY = "validity"


@dataclass(frozen=True)
class FaqEntry:
    policy: str
    id: str
    aspect: FaqAspect
    label: str
    asks: tuple[str, ...]
    answer: str
    until: date | None
    until_text: str | None
    file: str
    line: int

    @property
    def key(self) -> str:
        return f"{self.policy}#{self.id}"


@dataclass(frozen=True)
class FaqBase:
    entries: tuple[FaqEntry, ...]

    def for_policy(self, policy_id: str) -> tuple[FaqEntry, ...]:
        return tuple(e for e in self.entries if e.policy == policy_id)


@dataclass
class KnowledgeBase:
    sources: dict[str, SourceDoc]
    policies: dict[str, Policy]
    tables: dict[str, OfficeTable]
    regions: dict[str, Region]
    topics: dict[str, Topic]
    general: list[tuple[str, str, str | None]] = field(default_factory=list)  # (region, table id, place)
    faq: FaqBase = field(default_factory=lambda: FaqBase(()))  # detail questions under the policies

    def general_contacts(self) -> list[tuple[str, OfficeEntry, OfficeTable]]:
        """The offices to offer when someone asks for a person, one per region that has one."""
        out = []
        for region, tid, place in self.general:
            table = self.tables.get(tid)
            if table is None:
                continue
            for entry in table.entries:
                if entry.place == place:
                    out.append((region, entry, table))
        return out

    def standing(self, policy: Policy, today: date) -> Standing:
        source = self.sources[policy.source]
        until = policy.validity.until
        ended = source.status is SourceStatus.ENDED or (until is not None and until < today)
        return Standing(ended=ended, draft=source.status is SourceStatus.DRAFT, until=until)

    def policies_for_topic(self, topic: str) -> list[Policy]:
        return [p for p in self.policies.values() if p.topic == topic]

    def regions_for_topic(self, topic: str) -> list[str]:
        """Regions a citizen may pick for a topic: those with a policy of their own or through a parent."""
        own = {p.region for p in self.policies_for_topic(topic)}
        return [r.name for r in self.regions.values() if r.name in own or own.intersection(r.covered_by)]

    def place(self, name: str) -> Place | None:
        for region in self.regions.values():
            for place in region.places:
                if place.name == name:
                    return place
        return None
