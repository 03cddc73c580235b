"""Composes the bot's words from knowledge records; nothing here invents a fact."""
from __future__ import annotations

from datetime import date

from ..knowledge.grounding import date_forms, fold
from ..knowledge.model import KnowledgeBase, OfficeEntry, OfficeTable, Policy

ASPECT_LABELS = {
    "amount": "享受标准",
    "eligibility": "申领条件",
    "materials": "所需材料",
    "process": "办理流程",
    "deadline": "申请时限",
    "contact": "办理地点和电话",
    "validity": "有效期",
}


def cite(policy: Policy, kb: KnowledgeBase) -> str:
    doc = kb.sources[policy.source]
    number = f"（{doc.doc_no}）" if doc.doc_no else ""
    heading = f"「{policy.section_title}」" if policy.section_title else ""
    return f"《{doc.title}》{number}{policy.section}{heading}"


def cite_table(table: OfficeTable, kb: KnowledgeBase) -> str:
    doc = kb.sources[table.source]
    return f"《{doc.title}》{table.section or ''} 所附办理机构表"


def printed_date(policy: Policy, kb: KnowledgeBase, day: date) -> str:
    """The date in the form the source prints it (2024年底, 2023年12月31日 …)."""
    text = fold(kb.sources[policy.source].text)
    for form in date_forms(day):
        if form in text:
            return form
    return date_forms(day)[0]


def standing_notice(policy: Policy, kb: KnowledgeBase, today: date) -> str | None:
    """The first line of any answer about a measure that has ended, is a draft, or may have changed."""
    standing = kb.standing(policy, today)
    doc = kb.sources[policy.source]
    lines = []
    if standing.draft:
        lines.append(f"📝 注意：这条内容出自征求意见稿《{doc.title}》，是草案，不是正式生效的文件，最终规定可能不同。")
    if standing.ended and policy.still_applies:
        lines.append(f"⚠️ 这份{doc.date.year if doc.date else doc.year}年的文件已经失效。{policy.still_applies}")
    elif standing.ended and policy.validity.year and not policy.validity.until:
        lines.append(f"⚠️ 该措施是{policy.validity.year}年度的安排，现在已经结束。以下内容仅供了解，现行规定请向办理机构咨询。")
    elif standing.ended:
        if policy.validity.until:
            lines.append(f"⚠️ 该政策已经结束：执行期限至{printed_date(policy, kb, policy.validity.until)}，"
                         "现在已经过期。以下内容仅供了解，现行规定请向办理机构咨询。")
        else:
            year = doc.date.year if doc.date else doc.year
            lines.append(f"⚠️ 该政策已经结束：它出自{year}年的文件，相关措施早已到期。"
                         "以下内容仅供了解，现行规定请向当地人力资源和社会保障部门咨询。")
    elif doc.caveat and policy.validity.until is None:
        lines.append(f"ℹ️ {doc.caveat}")
    return "\n".join(lines) or None


def validity_line(policy: Policy, kb: KnowledgeBase, today: date) -> str:
    standing = kb.standing(policy, today)
    v = policy.validity
    if v.text:
        period = v.text.rstrip("。")
    elif v.until:
        period = f"执行期限至{printed_date(policy, kb, v.until)}"
    else:
        period = "原文未写截止日期"
    return f"{period}（当前状态：{standing.label}）"


def _noted(lines: list[str], policy: Policy, kb: KnowledgeBase, today: date) -> list[str]:
    """The lines plus what keeps them true today: as-of dates for 目前 figures, clause end dates."""
    return lines + kb.quoted_notes(policy, today, "\n".join(lines))


def _items(values: tuple[str, ...]) -> str:
    return "；".join(v.rstrip("；;。") for v in values) + "。"


def channel_lines(policy: Policy, bullet: str) -> list[str]:
    lines = []
    if policy.channels_online:
        lines.append(f"{bullet}网上办理：{_items(policy.channels_online)}")
    if policy.channels_onsite:
        lines.append(f"{bullet}现场办理：{_items(policy.channels_onsite)}")
    return lines


def aspect_text(policy: Policy, aspect: str, kb: KnowledgeBase, today: date) -> str:
    """One aspect of a policy, or an honest statement that the source does not say."""
    missing = f"原文没有写明{ASPECT_LABELS.get(aspect, '')}，请向办理机构咨询。"
    if aspect == "amount":
        lines = [f"享受标准：{policy.standard}"] if policy.standard else [missing]
        lines += [f"享受期限：{policy.duration}"] if policy.duration else []
        return "\n".join(_noted(lines, policy, kb, today))
    if aspect == "materials":
        return "所需材料：\n" + "\n".join(f"  {i}. {m}" for i, m in enumerate(policy.materials, 1)) \
            if policy.materials else missing
    if aspect == "process":
        lines = [f"办理流程：{policy.process}"] if policy.process else []
        lines += channel_lines(policy, bullet="")
        if not lines:
            lines.append(missing)
        lines += [f"说明：{note}" for note in policy.notes[:3]]
        return "\n".join(_noted(lines, policy, kb, today))
    if aspect == "deadline":
        return f"申请时限：{policy.deadline}" if policy.deadline else missing
    if aspect == "validity":
        duration = f"\n享受期限（不是有效期）：{policy.duration}" if policy.duration else ""
        return f"有效期：{validity_line(policy, kb, today)}{duration}"
    if aspect == "eligibility":
        lines = []
        if policy.audience:
            lines.append(f"适用对象：{policy.audience}")
        for i, cond in enumerate(policy.conditions, 1):
            lines.append(f"  {i}. {cond.ask}")
        return "\n".join(lines) or missing
    return missing


def overview(policy: Policy, kb: KnowledgeBase, today: date) -> list[str]:
    lines = []
    if policy.summary:
        lines.append(policy.summary)
    if policy.audience:
        lines.append(f"· 适用对象：{policy.audience}")
    if policy.standard:
        lines.append(f"· 标准：{policy.standard}")
    if policy.duration:
        lines.append(f"· 享受期限：{policy.duration}")
    lines.append(f"· 有效期：{validity_line(policy, kb, today)}")
    return _noted(lines, policy, kb, today)


def full_answer(policy: Policy, kb: KnowledgeBase, today: date) -> list[str]:
    """Standard, validity, materials, how to apply and the deadline — short enough for a phone.

    The full 办理流程 and the notes stay one button away ("办理流程").
    """
    lines = []
    if policy.standard:
        lines.append(f"· 标准：{policy.standard}")
    if policy.duration:
        lines.append(f"· 享受期限：{policy.duration}")
    lines.append(f"· 有效期：{validity_line(policy, kb, today)}")
    if policy.materials:
        lines.append(f"· 材料：{_items(policy.materials)}")
    lines += channel_lines(policy, bullet="· ")
    if policy.process and not (policy.channels_online or policy.channels_onsite):
        lines.append(f"· 流程：{policy.process}")
    if policy.deadline and policy.deadline != policy.validity.text:
        lines.append(f"· 申请时限：{policy.deadline}")
    return _noted(lines, policy, kb, today)


def entry_line(entry: OfficeEntry) -> str:
    name = entry.office or entry.place or "咨询电话"
    parts = [name]
    if entry.address:
        parts.append(entry.address)
    text = "：".join(parts[:2]) if len(parts) > 1 else parts[0]
    if entry.phones:
        text += f"，电话 {'、'.join(entry.phones)}"
    return text


def contact_entries(policy: Policy, kb: KnowledgeBase, place: str | None) -> list[OfficeEntry]:
    """The rows of this policy's own tables for a district (plus rows that serve everyone)."""
    rows = []
    for tid in policy.contacts:
        for entry in kb.tables[tid].entries:
            if entry.place is None or entry.place == place:
                rows.append(entry)
    return rows


def contact_places(policy: Policy, kb: KnowledgeBase) -> list[str]:
    places: list[str] = []
    for tid in policy.contacts:
        for name in kb.tables[tid].places:
            if name not in places:
                places.append(name)
    return places
