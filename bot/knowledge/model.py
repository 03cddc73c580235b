"""Typed records of the knowledge base; everything the dialog says is read from these."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Mapping

from .folding import fold

# Words that mark a figure as true when the document was written, not necessarily today.
AS_OF_WORDS = re.compile(r"目前|现行")


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
    as_of: str | None = None        # when its figures were current, as the bot says it: "2023年8月9日"
    as_of_basis: str | None = None  # why that date (for maintainers; shown by `validate`)
    line: int = 0
    numbering: str = "top"          # how its sections are numbered (see coverage.py)
    # the text as the grounding check compares it, folded once when the document is made (a reply's dates
    # are looked up in it: folding the whole document per reply cost ~0.5 ms)
    folded: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", fold(self.text))


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
    """How long the measure itself applies — never how long a benefit lasts (that is `Policy.duration`)."""

    start: date | None
    until: date | None
    text: str | None
    year: int | None = None   # a measure written for one year only ("2023年度…"): over when that year is


@dataclass(frozen=True)
class Clause:
    """One sentence of a record with an end date of its own (e.g. 展期还款 until 2023-12-31)."""

    name: str          # short, for the note: 展期还款
    text: str          # the words as they appear in the record's standard or notes
    until: date
    line: int = 0


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
    duration: str | None = None          # how long the benefit lasts (补贴期限最长3年): not validity
    clauses: tuple[Clause, ...] = ()
    still_applies: str | None = None     # what outlives an ended document (a duty set by law)
    lines: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, field_name: str) -> int:
        """The line of a field ("standard", "conditions[2].ask", "materials[3]"), else the record's."""
        while field_name:
            if field_name in self.lines:
                return self.lines[field_name]
            field_name = field_name.rpartition("[")[0] if field_name.endswith("]") else ""
        return self.line


@dataclass(frozen=True)
class OfficeEntry:
    place: str | None
    office: str | None
    address: str | None
    phones: tuple[str, ...]
    lines: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class OfficeTable:
    id: str
    source: str
    section: str | None
    title: str | None
    entries: tuple[OfficeEntry, ...]
    line: int = 0
    file: str = ""

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
    # words by which a person shows they are this topic's kind of asker (招了、新招 → the employer's 社保补贴)
    said_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Excluded:
    """A numbered section of a source that has no record, and why (shown in the coverage table)."""

    source: str
    section: str
    why: str
    file: str = ""
    line: int = 0
    what: str = ""      # the item left out when the rest of the section has records (厂房免费使用3年)


@dataclass(frozen=True)
class Standing:
    """Where a policy stands on a given day."""

    ended: bool
    draft: bool
    until: date | None

    @property
    def label(self) -> str:
        if self.draft and self.ended:
            return "征求意见稿（已结束）"
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
        return self._by_policy.get(policy_id, ())

    @cached_property
    def _by_policy(self) -> dict[str, tuple[FaqEntry, ...]]:
        """Entries grouped once: asking every policy for its entries would otherwise cost policies × entries."""
        grouped: dict[str, list[FaqEntry]] = {}
        for e in self.entries:
            grouped.setdefault(e.policy, []).append(e)
        return {pid: tuple(es) for pid, es in grouped.items()}


@dataclass
class KnowledgeBase:
    sources: dict[str, SourceDoc]
    policies: dict[str, Policy]
    tables: dict[str, OfficeTable]
    regions: dict[str, Region]
    topics: dict[str, Topic]
    general: list[tuple[str, str, str | None]] = field(default_factory=list)  # (region, table id, place)
    faq: FaqBase = field(default_factory=lambda: FaqBase(()))  # detail questions under the policies
    elsewhere: tuple[str, ...] = ()        # places outside our regions (from gazetteer.yaml, read once)
    not_places: tuple[str, ...] = ()       # names holding a place word that name no place (新疆智慧人社)
    excluded: list[Excluded] = field(default_factory=list)

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
        year = policy.validity.year
        ended = (source.status is SourceStatus.ENDED or (until is not None and until < today)
                 or (year is not None and today.year > year))
        return Standing(ended=ended, draft=source.status is SourceStatus.DRAFT, until=until)

    def quoted_notes(self, policy: Policy, today: date, shown: str) -> list[str]:
        """What an answer that quotes `shown` must add so it stays true on the day it is read.

        A "目前/现行" figure says when it was current; a clause with its own end date says whether it
        has ended — only for what the answer actually quotes.
        """
        notes = []
        doc = self.sources.get(policy.source)
        own = (policy.standard, policy.summary, policy.audience, policy.process, *policy.notes)
        found = AS_OF_WORDS.search(shown)
        if found and doc is not None and doc.as_of and any(v and found.group() in v for v in own):
            notes.append(f"注：“{found.group()}”指《{doc.title}》编写时（{doc.as_of}）的情况，"
                         "现在可能已经调整，请以办理机构的答复为准。")
        for clause in policy.clauses:
            if clause.text in shown:
                state = "已经结束" if clause.until < today else "仍在执行期内"
                notes.append(f"注：其中“{clause.name}”一项执行期限截至"
                             f"{clause.until.year}年{clause.until.month}月{clause.until.day}日，"
                             f"{state}（按 {today.isoformat()} 计）。")
        return notes

    def policies_for_topic(self, topic: str) -> list[Policy]:
        return list(self._by_topic.get(topic, ()))

    @cached_property
    def _by_topic(self) -> dict[str, tuple[Policy, ...]]:
        """Policies grouped once (the policies are never changed after loading): a question asks for a
        topic's measures several times, and scanning every policy each time grows with the base."""
        grouped: dict[str, list[Policy]] = {}
        for p in self.policies.values():
            grouped.setdefault(p.topic, []).append(p)
        return {topic: tuple(ps) for topic, ps in grouped.items()}

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
