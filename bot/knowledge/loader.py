"""Turns the YAML files into a KnowledgeBase, collecting every problem with its file, line and field."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .coverage import NUMBERINGS
from .grounding import check_grounding, fold
from .model import (
    Clause,
    Condition,
    Correction,
    Excluded,
    KnowledgeBase,
    OfficeEntry,
    OfficeTable,
    Place,
    Policy,
    Region,
    SourceDoc,
    SourceStatus,
    Topic,
    Validity,
)
from .paths import DEFAULT_INTENTS_DIR, DEFAULT_KNOWLEDGE_DIR, PACKAGE_ROOT  # noqa: F401 — re-exported
from .yamlio import (DataError, LineDict, LineList, Problem, describe_value as _kind, did_you_mean, display_path,
                     parse_day)
from .yamlcache import read_cached

MAX_OPTION_CHARS = 12
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$")

POLICY_FIELDS = {
    "id": True, "title": True, "button": False, "topic": True, "region": True, "section": True, "section_title": False,
    "audience": False, "summary": False, "conditions": False, "standard": False, "validity": True,
    "process": False, "materials": False, "deadline": False, "channels": False, "contacts": False,
    "contact_text": False, "notes": False, "corrections": False, "duration": False, "clauses": False,
    "still_applies": False,
}
CONDITION_FIELDS = {"ask": True, "options": True, "pass": True, "unknown": False, "fail": True,
                    "remedy": False, "cues": False}
VALIDITY_FIELDS = {"from": False, "until": True, "text": False, "year": False}
CLAUSE_FIELDS = {"name": True, "text": True, "until": True}
EXCLUDED_FIELDS = {"section": True, "what": False, "why": True}
TABLE_FIELDS = {"id": True, "source": True, "section": False, "title": False, "entries": True}
ENTRY_FIELDS = {"place": True, "office": False, "address": False, "phones": True}


class _Reader:
    """Reads fields of one record and files a Problem for anything a clerk would need to fix."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        self.lines: dict[str, int] = {}   # field path → line, for the record being read

    def problem(self, node: Any, record: str | None, field: str | None, message: str) -> None:
        line = None
        if isinstance(node, LineDict):
            line = node.line_of(field.split(".")[-1]) if field else node.line
        self.problems.append(Problem(self.file, line, record, field, message))

    def seen(self, node: LineDict, key: str, prefix: str) -> None:
        """Remember where a field was written, and each item of a list, for later problems."""
        if key not in node:
            return
        self.lines[prefix + key] = node.line_of(key)
        value = node[key]
        if isinstance(value, LineList):
            for i in range(len(value)):
                self.lines[f"{prefix}{key}[{i + 1}]"] = value.line_at(i)

    def check_keys(self, node: LineDict, spec: dict[str, bool], record: str | None, prefix: str = "") -> None:
        for key in node:
            if key not in spec:
                known = "、".join(spec)
                self.problem(node, record, prefix + str(key), f"不认识这个字段；可用的字段有：{known}")
        for key, required in spec.items():
            if required and key not in node:
                self.problem(node, record, prefix + key, "缺少这个必填字段")

    def text(self, node: LineDict, key: str, record: str | None, required: bool = False,
             prefix: str = "") -> str | None:
        self.seen(node, key, prefix)
        value = node.get(key)
        if value is None:
            if required and key in node:
                self.problem(node, record, prefix + key, "不能为空")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(node, record, prefix + key, f"应该是一段文字，现在是 {_kind(value)}")
            return None
        value = value.strip()
        if required and not value:
            self.problem(node, record, prefix + key, "不能为空")
        return value or None

    def texts(self, node: LineDict, key: str, record: str | None, prefix: str = "") -> tuple[str, ...]:
        self.seen(node, key, prefix)
        value = node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(node, record, prefix + key, f"应该是列表（每行以“- ”开头），现在是 {_kind(value)}")
            return ()
        out = []
        for item in value:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip():
                out.append(str(item).strip())
            else:
                self.problem(node, record, prefix + key, f"列表里有一项不是文字：{item!r}")
        return tuple(out)

    def day(self, node: LineDict, key: str, record: str | None, prefix: str) -> date | None:
        self.seen(node, key, prefix)
        value = node.get(key)
        if value is None:
            return None
        day = parse_day(value)
        if day is not None:
            return day
        self.problem(node, record, prefix + key, f"日期要写成 YYYY-MM-DD（例如 2023-12-31），现在是 {value!r}")
        return None

    def mapping(self, value: Any, node: LineDict, record: str | None, field: str) -> LineDict | None:
        if isinstance(value, LineDict):
            return value
        self.problem(node, record, field, f"应该是一组“字段: 值”，现在是 {_kind(value)}")
        return None


def _top_list(data: Any, key: str, file: str, problems: list[Problem]) -> list:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        line = data.line if isinstance(data, LineDict) else None
        problems.append(Problem(file, line, None, key, f"文件顶层应该有一个列表 `{key}:`"))
        return []
    return data[key]


def load_topics(intents_dir: Path, problems: list[Problem]) -> dict[str, Topic]:
    path = intents_dir / "topics.yaml"
    data, errs = read_cached(path)
    problems.extend(errs)
    file, reader, topics = display_path(path), _Reader(display_path(path), problems), {}
    for item in _top_list(data, "topics", file, problems) if not errs else []:
        if not isinstance(item, LineDict):
            problems.append(Problem(file, None, None, "topics", "每个话题应该是一组字段"))
            continue
        tid = reader.text(item, "id", None, required=True)
        name = reader.text(item, "name", tid, required=True)
        if tid and name:
            if len(name) > MAX_OPTION_CHARS:
                reader.problem(item, tid, "name", f"按钮文字最多 {MAX_OPTION_CHARS} 个字，现在 {len(name)} 个")
            topics[tid] = Topic(tid, name, reader.text(item, "about", tid) or "", reader.texts(item, "said_by", tid))
    return topics


def load_regions(intents_dir: Path, problems: list[Problem]) -> tuple[dict[str, Region], tuple[str, ...], tuple[str, ...]]:
    """The regions with their places, the places outside them and the names that only contain a place
    word (新疆智慧人社) — one read of gazetteer.yaml."""
    path = intents_dir / "gazetteer.yaml"
    data, errs = read_cached(path)
    problems.extend(errs)
    file, reader, regions = display_path(path), _Reader(display_path(path), problems), {}
    elsewhere = tuple(str(p) for p in data.get("elsewhere") or []) if isinstance(data, dict) else ()
    not_places = tuple(str(p) for p in data.get("not_places") or []) if isinstance(data, dict) else ()
    for item in _top_list(data, "regions", file, problems) if not errs else []:
        if not isinstance(item, LineDict):
            continue
        name = reader.text(item, "name", None, required=True)
        if not name:
            continue
        places = []
        for place in item.get("places") or []:
            if isinstance(place, LineDict) and reader.text(place, "name", name, required=True):
                places.append(Place(place["name"].strip(), name, reader.texts(place, "aliases", name)))
        regions[name] = Region(
            name=name,
            short=reader.text(item, "short", name) or name,
            aliases=reader.texts(item, "aliases", name),
            covered_by=reader.texts(item, "covered_by", name),
            places=tuple(places),
        )
    return regions, elsewhere, not_places


def load_sources(knowledge_dir: Path, problems: list[Problem]) -> dict[str, SourceDoc]:
    path = knowledge_dir / "sources" / "index.yaml"
    data, errs = read_cached(path)
    problems.extend(errs)
    file, reader, sources = display_path(path), _Reader(display_path(path), problems), {}
    for item in _top_list(data, "documents", file, problems) if not errs else []:
        if not isinstance(item, LineDict):
            continue
        key = reader.text(item, "key", None, required=True)
        fname = reader.text(item, "file", key, required=True)
        title = reader.text(item, "title", key, required=True)
        region = reader.text(item, "region", key, required=True)
        status_raw = reader.text(item, "status", key, required=True)
        if not (key and fname and title and region and status_raw):
            continue
        try:
            status = SourceStatus(status_raw)
        except ValueError:
            reader.problem(item, key, "status", "应该是 in_force、ended 或 draft 之一")
            continue
        text_path = knowledge_dir / "sources" / fname
        try:
            text = text_path.read_text(encoding="utf-8")
        except OSError:
            reader.problem(item, key, "file", f"找不到来源文件 {display_path(text_path)}")
            continue
        year = item.get("year")
        as_of = item.get("as_of")
        if as_of is None:
            reader.problem(item, key, "as_of", "缺少这个字段：写这份文件里的数字是哪一天（或哪一年）的情况，"
                                               "例如 2023-08-09 或 2023")
        elif _as_of_text(as_of) is None or fold(_as_of_text(as_of) or "") not in fold(text):
            reader.problem(item, key, "as_of", f"“{as_of}”不是年份或 YYYY-MM-DD，或者这个日期在 {fname} 里找不到"
                                               "（as_of 也要有出处）")
        sources[key] = SourceDoc(
            key=key, file=fname, title=title, doc_no=reader.text(item, "doc_no", key),
            issuer=reader.text(item, "issuer", key), region=region,
            date=reader.day(item, "date", key, ""), year=year if isinstance(year, int) else None,
            status=status, note=reader.text(item, "note", key),
            caveat=reader.text(item, "caveat", key), text=text, as_of=_as_of_text(as_of),
            as_of_basis=reader.text(item, "as_of_basis", key), line=item.line,
            numbering=_numbering(reader, item, key),
        )
    return sources


def _numbering(reader: _Reader, item: LineDict, key: str) -> str:
    value = reader.text(item, "numbering", key) or "top"
    if value not in NUMBERINGS:
        reader.problem(item, key, "numbering", f"应该是 {'、'.join(NUMBERINGS)} 之一。{did_you_mean(value, NUMBERINGS)}")
    return value


def _as_of_text(value: Any) -> str | None:
    """2023 → "2023年"; 2023-08-09 → "2023年8月9日" (as the bot says it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value}年"
    day = parse_day(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else None


def _load_general(data: LineDict, reader: _Reader) -> list[tuple[str, str, str | None]]:
    out = []
    for item in data.get("general") or []:
        node = reader.mapping(item, data, None, "general")
        if node is None:
            continue
        reader.check_keys(node, {"region": True, "table": True, "place": False}, None, "general.")
        region = reader.text(node, "region", None, True, "general.")
        table = reader.text(node, "table", None, True, "general.")
        if region and table:
            out.append((region, table, reader.text(node, "place", None, prefix="general.")))
    return out


def load_offices(knowledge_dir: Path, problems: list[Problem],
                 ) -> tuple[dict[str, OfficeTable], list[tuple[str, str, str | None]]]:
    """The office tables and the general contacts — one read of offices.yaml."""
    path = knowledge_dir / "offices.yaml"
    data, errs = read_cached(path)
    problems.extend(errs)
    file, reader = display_path(path), _Reader(display_path(path), problems)
    if isinstance(data, LineDict):
        reader.check_keys(data, {"tables": True, "general": False}, None)
    general = _load_general(data, reader) if isinstance(data, LineDict) and not errs else []
    tables: dict[str, OfficeTable] = {}
    for item in _top_list(data, "tables", file, problems) if not errs else []:
        if not isinstance(item, LineDict):
            problems.append(Problem(file, None, None, "tables", "每张表应该是一组字段"))
            continue
        tid = reader.text(item, "id", None, required=True)
        reader.check_keys(item, TABLE_FIELDS, tid)
        if not tid:
            continue
        if tid in tables:
            reader.problem(item, tid, "id", "这个表编号重复了")
            continue
        entries = []
        raw_entries = item.get("entries")
        if not isinstance(raw_entries, list) or not raw_entries:
            reader.problem(item, tid, "entries", "至少要有一行（受理机构 / 地址 / 电话）")
            raw_entries = []
        for entry in raw_entries:
            if not isinstance(entry, LineDict):
                reader.problem(item, tid, "entries", f"这一行应该是一组字段：{entry!r}")
                continue
            reader.check_keys(entry, ENTRY_FIELDS, tid, "entries.")
            reader.lines = {}
            phones = reader.texts(entry, "phones", tid, "entries.")
            entries.append(OfficeEntry(
                place=reader.text(entry, "place", tid, prefix="entries."),
                office=reader.text(entry, "office", tid, prefix="entries."),
                address=reader.text(entry, "address", tid, prefix="entries."),
                phones=phones, lines={"": entry.line, **reader.lines},
            ))
        reader.lines = {}
        tables[tid] = OfficeTable(
            id=tid, source=str(reader.text(item, "source", tid, required=True) or ""),
            section=reader.text(item, "section", tid), title=reader.text(item, "title", tid),
            entries=tuple(entries), line=item.line, file=file,
        )
    return tables, general


def _conditions(reader: _Reader, node: LineDict, pid: str) -> tuple[Condition, ...]:
    raw = node.get("conditions")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.problem(node, pid, "conditions", "应该是列表；没有条件时写 []")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        prefix = f"conditions[{i}]."
        cond = reader.mapping(item, node, pid, "conditions")
        if cond is None:
            continue
        reader.check_keys(cond, CONDITION_FIELDS, pid, prefix)
        ask = reader.text(cond, "ask", pid, True, prefix)
        options = reader.texts(cond, "options", pid, prefix)
        passing = reader.texts(cond, "pass", pid, prefix)
        unknown = reader.texts(cond, "unknown", pid, prefix)
        fail = reader.text(cond, "fail", pid, True, prefix)
        if not 2 <= len(options) <= 4:
            reader.problem(cond, pid, prefix + "options", f"要有 2 到 4 个选项，现在 {len(options)} 个")
        for option in options:
            if len(option) > MAX_OPTION_CHARS:
                reader.problem(cond, pid, prefix + "options",
                               f"选项“{option}”有 {len(option)} 个字，按钮最多 {MAX_OPTION_CHARS} 个字")
        for label, chosen in (("pass", passing), ("unknown", unknown)):
            for option in chosen:
                if option not in options:
                    reader.problem(cond, pid, prefix + label, f"“{option}”不在 options 里")
        if not passing:
            reader.problem(cond, pid, prefix + "pass", "至少要有一个符合条件的选项")
        cues = []
        raw_cues = cond.get("cues") or {}
        if not isinstance(raw_cues, dict):
            reader.problem(cond, pid, prefix + "cues", "应该是“选项: [说法, …]”的形式")
            raw_cues = {}
        for option, phrases in raw_cues.items():
            if option not in options:
                reader.problem(cond, pid, prefix + "cues", f"“{option}”不在 options 里")
                continue
            if isinstance(phrases, str):
                phrases = [phrases]
            cues.append((str(option), tuple(str(p) for p in phrases or [])))
        if ask and fail and options and passing:
            out.append(Condition(ask, options, passing, unknown, fail,
                                 reader.text(cond, "remedy", pid, prefix=prefix), tuple(cues)))
    return tuple(out)


def _clauses(reader: _Reader, node: LineDict, pid: str) -> tuple[Clause, ...]:
    out = []
    for i, item in enumerate(node.get("clauses") or [], 1):
        cnode = reader.mapping(item, node, pid, "clauses")
        if cnode is None:
            continue
        prefix = f"clauses[{i}]."
        reader.check_keys(cnode, CLAUSE_FIELDS, pid, prefix)
        name = reader.text(cnode, "name", pid, True, prefix)
        text = reader.text(cnode, "text", pid, True, prefix)
        until = reader.day(cnode, "until", pid, prefix)
        if name and text and until:
            out.append(Clause(name, text, until, cnode.line))
    return tuple(out)


def _validity(reader: _Reader, node: LineDict, pid: str) -> Validity:
    raw_validity = node.get("validity")
    if raw_validity is None:
        return Validity(None, None, None)
    vnode = reader.mapping(raw_validity, node, pid, "validity")
    if vnode is None:
        return Validity(None, None, None)
    reader.check_keys(vnode, VALIDITY_FIELDS, pid, "validity.")
    year = vnode.get("year")
    if year is not None and not (isinstance(year, int) and 1990 <= year <= 2100):
        reader.problem(vnode, pid, "validity.year", f"应该是一个年份数字，例如 2023，现在是 {_kind(year)}")
        year = None
    reader.seen(vnode, "year", "validity.")
    return Validity(reader.day(vnode, "from", pid, "validity."), reader.day(vnode, "until", pid, "validity."),
                    reader.text(vnode, "text", pid, prefix="validity."), year)


def _channels(reader: _Reader, node: LineDict, pid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    raw_channels = node.get("channels")
    if raw_channels is None:
        return (), ()
    cnode = reader.mapping(raw_channels, node, pid, "channels")
    if cnode is None:
        return (), ()
    reader.check_keys(cnode, {"online": False, "onsite": False}, pid, "channels.")
    return reader.texts(cnode, "online", pid, "channels."), reader.texts(cnode, "onsite", pid, "channels.")


def _corrections(reader: _Reader, node: LineDict, pid: str) -> tuple[Correction, ...]:
    corrections = []
    reader.seen(node, "corrections", "")
    for item in node.get("corrections") or []:
        cnode = reader.mapping(item, node, pid, "corrections")
        if cnode is None:
            continue
        reader.check_keys(cnode, {"wrong": True, "right": True, "why": False}, pid, "corrections.")
        wrong = reader.text(cnode, "wrong", pid, True, "corrections.")
        right = reader.text(cnode, "right", pid, True, "corrections.")
        if wrong and right:
            corrections.append(Correction(wrong, right, reader.text(cnode, "why", pid, prefix="corrections.") or ""))
    return tuple(corrections)


def _policy(reader: _Reader, node: LineDict, source_key: str) -> Policy | None:
    reader.lines = {}
    pid = reader.text(node, "id", None, required=True)
    reader.check_keys(node, POLICY_FIELDS, pid)
    if not pid:
        return None
    if not ID_PATTERN.match(pid):
        reader.problem(node, pid, "id", "编号只能用小写英文字母、数字、下划线，形如 urumqi.unemployment_benefit")
    validity = _validity(reader, node, pid)
    online, onsite = _channels(reader, node, pid)
    corrections = _corrections(reader, node, pid)
    section = reader.text(node, "section", pid, required=True)
    button = reader.text(node, "button", pid)
    if button and len(button) > MAX_OPTION_CHARS:
        reader.problem(node, pid, "button", f"按钮文字最多 {MAX_OPTION_CHARS} 个字，现在 {len(button)} 个")
    title = reader.text(node, "title", pid, required=True) or pid
    if not button and len(title) > MAX_OPTION_CHARS:
        reader.problem(node, pid, "button", f"标题超过 {MAX_OPTION_CHARS} 个字，请写一个按钮上用的短名 button:")
    return Policy(
        button=button or title,
        id=pid,
        title=title,
        topic=reader.text(node, "topic", pid, required=True) or "",
        region=reader.text(node, "region", pid, required=True) or "",
        source=source_key,
        section=section or "",
        section_title=reader.text(node, "section_title", pid),
        audience=reader.text(node, "audience", pid),
        summary=reader.text(node, "summary", pid),
        conditions=_conditions(reader, node, pid),
        standard=reader.text(node, "standard", pid),
        validity=validity,
        process=reader.text(node, "process", pid),
        materials=reader.texts(node, "materials", pid),
        deadline=reader.text(node, "deadline", pid),
        channels_online=online,
        channels_onsite=onsite,
        contacts=reader.texts(node, "contacts", pid),
        contact_text=reader.text(node, "contact_text", pid),
        notes=reader.texts(node, "notes", pid),
        corrections=corrections,
        file=reader.file,
        line=node.line,
        duration=reader.text(node, "duration", pid),
        clauses=_clauses(reader, node, pid),
        still_applies=reader.text(node, "still_applies", pid),
        lines=dict(reader.lines),
    )


def _excluded(reader: _Reader, data: LineDict, source_key: str) -> list[Excluded]:
    out = []
    raw = data.get("excluded") or []
    if not isinstance(raw, list):
        reader.problem(data, None, "excluded", "应该是列表，每项写 section: 和 why:")
        return out
    for item in raw:
        node = reader.mapping(item, data, None, "excluded")
        if node is None:
            continue
        reader.check_keys(node, EXCLUDED_FIELDS, None, "excluded.")
        section = reader.text(node, "section", None, True, "excluded.")
        why = reader.text(node, "why", section, True, "excluded.")
        if section and why:
            out.append(Excluded(source_key, section, why, reader.file, node.line,
                                reader.text(node, "what", section, prefix="excluded.") or ""))
    return out


def load_policies(knowledge_dir: Path, problems: list[Problem],
                  excluded: list[Excluded] | None = None) -> dict[str, Policy]:
    """Every policy file; the sections each file leaves out on purpose are added to `excluded`."""
    policies: dict[str, Policy] = {}
    files = sorted((knowledge_dir / "policies").glob("*.yaml"))
    if not files:
        problems.append(Problem(display_path(knowledge_dir / "policies"), None, None, None, "没有任何政策文件"))
    for path in files:
        data, errs = read_cached(path)
        problems.extend(errs)
        if errs:
            continue
        file = display_path(path)
        reader = _Reader(file, problems)
        if not isinstance(data, LineDict):
            problems.append(Problem(file, None, None, None, "文件顶层应该有 source: 和 policies:"))
            continue
        reader.check_keys(data, {"source": True, "policies": True, "excluded": False}, None)
        source_key = str(data.get("source") or "")
        if excluded is not None:
            excluded += _excluded(reader, data, source_key)
        for item in _top_list(data, "policies", file, problems):
            if not isinstance(item, LineDict):
                problems.append(Problem(file, None, None, "policies", f"每条政策应该是一组字段：{item!r}"))
                continue
            policy = _policy(reader, item, source_key)
            if policy is None:
                continue
            if policy.id in policies:
                other = policies[policy.id]
                reader.problem(item, policy.id, "id", f"编号重复：{other.file}:{other.line} 已经用过")
                continue
            policies[policy.id] = policy
    return policies


def _check_policy_refs(kb: KnowledgeBase, p: Policy, problems: list[Problem]) -> None:
    def bad(field: str, message: str) -> None:
        problems.append(Problem(p.file, p.line_of(field), p.id, field, message))

    if p.source not in kb.sources:
        bad("source", f"来源“{p.source}”不在 sources/index.yaml 里。{did_you_mean(p.source, kb.sources)}")
    if p.topic not in kb.topics:
        bad("topic", f"话题“{p.topic}”不在 intents/topics.yaml 里。{did_you_mean(p.topic, kb.topics)}")
    if p.region not in kb.regions:
        bad("region", f"地区“{p.region}”应该是：{'、'.join(kb.regions)} 之一。{did_you_mean(p.region, kb.regions)}")
    for tid in p.contacts:
        if tid not in kb.tables:
            bad("contacts", f"办事处表“{tid}”在 offices.yaml 里找不到。{did_you_mean(tid, kb.tables)}")
    source = kb.sources.get(p.source)
    ended = source is not None and source.status is SourceStatus.ENDED
    # an ended document may print no contact for a measure; the bot then says the source lists none
    if not (p.contacts or p.contact_text or p.channels_online or p.channels_onsite or ended):
        bad("contacts", "至少要有一个联系方式：contacts、contact_text 或 channels")


def check_references(kb: KnowledgeBase, problems: list[Problem]) -> None:
    """Every name a record uses must exist: topic, region, source, office table, place."""
    seen_buttons: dict[tuple[str, str, str], str] = {}
    for p in kb.policies.values():
        _check_policy_refs(kb, p, problems)
        key = (p.topic, p.region, p.button)
        if key in seen_buttons:
            problems.append(Problem(p.file, p.line_of("button"), p.id, "button",
                                    f"按钮名“{p.button}”和同地区同话题的 {seen_buttons[key]} 重复，用户分不清，请改一个"))
        seen_buttons[key] = p.id
    offices = next((t.file for t in kb.tables.values()), "offices.yaml")
    for region, tid, place in kb.general:
        if tid not in kb.tables:
            problems.append(Problem(offices, None, tid, "general.table",
                                    f"总咨询电话引用的表不存在。{did_you_mean(tid, kb.tables)}"))
        elif not any(e.place == place for e in kb.tables[tid].entries):
            problems.append(Problem(offices, None, tid, "general.place", f"表里没有地点“{place}”这一行"))
        if region not in kb.regions:
            problems.append(Problem(offices, None, tid, "general.region",
                                    f"地区“{region}”不在地名表里。{did_you_mean(region, kb.regions)}"))
    places = [pl.name for r in kb.regions.values() for pl in r.places]
    for table in kb.tables.values():
        if table.source not in kb.sources:
            problems.append(Problem(table.file, table.line, table.id, "source",
                                    f"来源“{table.source}”不在 index.yaml 里。{did_you_mean(table.source, kb.sources)}"))
        for entry in table.entries:
            if entry.place and kb.place(entry.place) is None:
                problems.append(Problem(table.file, entry.lines.get("entries.place", table.line), table.id,
                                        "entries.place", f"地名“{entry.place}”不在 intents/gazetteer.yaml 里"
                                        f"（请用全称）。{did_you_mean(entry.place, places)}"))


def load_knowledge(knowledge_dir: Path | None = None, intents_dir: Path | None = None,
                   ) -> tuple[KnowledgeBase, list[Problem]]:
    """Load everything, each file read once; return the base with every problem found (empty when clean)."""
    knowledge_dir = Path(knowledge_dir or DEFAULT_KNOWLEDGE_DIR)
    intents_dir = Path(intents_dir or DEFAULT_INTENTS_DIR)
    problems: list[Problem] = []
    excluded: list[Excluded] = []
    tables, general = load_offices(knowledge_dir, problems)
    regions, elsewhere, not_places = load_regions(intents_dir, problems)
    kb = KnowledgeBase(
        sources=load_sources(knowledge_dir, problems),
        policies=load_policies(knowledge_dir, problems, excluded),
        tables=tables,
        regions=regions,
        topics=load_topics(intents_dir, problems),
        general=general,
        elsewhere=elsewhere,
        not_places=not_places,
        excluded=excluded,
    )
    check_references(kb, problems)
    from .faq import load_faq  # faq → grounding → loader: imported here to keep the cycle open

    if any(p.message.startswith("YAML 格式错误") for p in problems):
        return kb, problems  # a policy file that did not parse would make every FAQ entry of it "unknown"
    kb.faq, faq_problems = load_faq(kb, knowledge_dir)
    problems += faq_problems
    return kb, problems


def load_knowledge_strict(knowledge_dir: Path | None = None, intents_dir: Path | None = None) -> KnowledgeBase:
    """The bot refuses to start on broken data or on any figure no source prints: a wrong answer is worse
    than no answer. Every entry point (chat, test, telegram, eval) starts through here."""
    from .faq import check_faq_grounding

    kb, problems = load_knowledge(knowledge_dir, intents_dir)
    if not problems:
        problems = check_grounding(kb) + check_faq_grounding(kb.faq, kb)
    if problems:
        raise DataError(problems)
    return kb
