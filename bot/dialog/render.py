"""Every word the bot says and the layout of its answers, composed from knowledge records.

Nothing here invents a fact, and nothing here decides what to say when: the flows choose, this module words.
Region names come from the knowledge base (`kb.regions`), never typed out.
"""
from __future__ import annotations

import re
from datetime import date

from ..knowledge.grounding import date_forms
from ..knowledge.model import KnowledgeBase, OfficeEntry, OfficeTable, Policy, SourceDoc, SourceStatus, Topic
from ..nlu.normalize import MAX_INPUT_CHARS
from .tuning import OFFICE_TITLES_NAMED, RELATED_NAMED

ASPECT_LABELS = {
    "amount": "享受标准",
    "eligibility": "申领条件",
    "materials": "所需材料",
    "process": "办理流程",
    "deadline": "申请时限",
    "contact": "办理地点和电话",
    "validity": "有效期",
}


def doc_name(doc: SourceDoc) -> str:
    """《title》（文号）: how a document is named in a reply."""
    return f"《{doc.title}》" + (f"（{doc.doc_no}）" if doc.doc_no else "")


def cite(policy: Policy, kb: KnowledgeBase) -> str:
    doc = kb.sources[policy.source]
    heading = f"「{policy.section_title}」" if policy.section_title else ""
    return f"{doc_name(doc)}{policy.section}{heading}"


def cite_table(table: OfficeTable, kb: KnowledgeBase) -> str:
    doc = kb.sources[table.source]
    return f"《{doc.title}》{table.section or ''} 所附办理机构表"


def printed_date(policy: Policy, kb: KnowledgeBase, day: date) -> str:
    """The date in the form the source prints it (2024年底, 2023年12月31日 …)."""
    text = kb.sources[policy.source].folded
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
        lines.append(f"⚠️ 这份{doc.date.year if doc.date else doc.year}年的文件已经结束（已失效）。{policy.still_applies}")
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


def document_notice(doc: SourceDoc) -> str | None:
    """The first line of a quote from a document that has ended or is a draft (no measure to go by)."""
    year = doc.date.year if doc.date else doc.year
    if doc.status is SourceStatus.ENDED:
        return (f"⚠️ 这份{year}年的文件已经结束，其中的措施早已到期。以下原文仅供了解，"
                "现行规定请向当地人力资源和社会保障部门咨询。")
    if doc.status is SourceStatus.DRAFT:
        return f"📝 注意：这条内容出自征求意见稿《{doc.title}》，是草案，不是正式生效的文件，最终规定可能不同。"
    return f"ℹ️ {doc.caveat}" if doc.caveat else None


def quoted_sentence(doc: SourceDoc, sentence: str) -> list[str]:
    return [f"{doc_name(doc)}原文是这样写的：", f"“{sentence}”"]


def section_sentence(sentence: str) -> str:
    return f"这一条的原文还写到：“{sentence}”"


def supplement_lines(doc: SourceDoc, sentence: str) -> list[str]:
    """A source sentence added under an answer that may have missed the question: quoted, with its
    document and, when that document has ended or is a draft, a word saying so."""
    state = {SourceStatus.ENDED: "（这份文件已经结束）", SourceStatus.DRAFT: "（这是征求意见稿，不是正式文件）"}
    return ["原文中这一句可能正是您问的：", f"“{sentence}”",
            f"——{doc_name(doc)}{state.get(doc.status, '')}"]


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


_APPLY_AT = re.compile(r"(到|向|在)[^，。；;\n]{2,40}?(提出申请|申请|申报|提交|报送|递交)(?!之日)")


def where_to_apply(policy: Policy) -> str | None:
    """The clause of the steps that names where the application goes ("向所在区（县）人社局提交申报资料"):
    "找谁申请" is answered by it, and the channels alone often say only "现场办理"."""
    for clause in re.split(r"[，。；;\n]", policy.process or ""):
        if _APPLY_AT.search(clause) and "收到" not in clause:
            return clause.strip()
    return None


def only_region(region: str, topic: Topic) -> str:
    """Said before an answer given without asking the region: the bot holds this topic for one region only."""
    return f"（「{topic.name}」我的资料里只有{region}的政策，以下按它回答。）"


def region_guessed(region: str) -> str:
    """Said before an answer whose region the bot inferred from the question's words, not from the person."""
    return f"您没说在哪个地区；您问的这一点是{region}的政策里写的，先按它回答。您在其他地区的话，请点下面的地区。"


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
    return [entry for tid in policy.contacts for entry in kb.tables[tid].entries
            if entry.place is None or entry.place == place]


def contact_places(policy: Policy, kb: KnowledgeBase) -> list[str]:
    """The districts this policy's office tables list, in the order printed."""
    places: list[str] = []
    for tid in policy.contacts:
        places += [name for name in kb.tables[tid].places if name not in places]
    return places

# ---- button labels ------------------------------------------------------------------------------
# the button gives phone numbers of people who can help; the bot cannot transfer a chat, so it never says "转人工"
HUMAN_LABEL, OTHER_LABEL, RESTART_LABEL, TOPICS_LABEL = "人工咨询电话", "其他问题", "重新开始", "看看能问什么"
RELATED_LABEL, CHECK_LABEL, RECHECK_LABEL, NONE_LABEL = "同类其他政策", "核对申领条件", "重新核对", "都不是"
ELSEWHERE_LABEL, CONTACT_LABEL = "其他地区", "办理地点电话"
# the follow-ups offered under an answer, in this order: (label, aspect)
FOLLOW_UPS = (("需要哪些材料", "materials"), ("办理流程", "process"), (CONTACT_LABEL, "contact"),
              ("享受标准", "amount"))


# ---- regions --------------------------------------------------------------------------------------
def _spoken(kb: KnowledgeBase, full: bool) -> str:
    """"乌鲁木齐市、新疆维吾尔自治区、新疆兵团和兴安盟": the short names, except a short name that only
    makes sense next to another button ("新疆其他地州"); `full` uses the full names."""
    names = [r.name if full or "其他" in r.short else r.short for r in kb.regions.values()]
    return "、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else "".join(names)


def not_ours(kb: KnowledgeBase, elsewhere: str, joiner: str = "；") -> str:
    return (f"抱歉，我只有{_spoken(kb, False)}的政策资料，没有{elsewhere}的{joiner}"
            f"{elsewhere}的政策请咨询当地人力资源和社会保障部门。")


def other_region(kb: KnowledgeBase) -> str:
    return (f"抱歉，我目前只有{_spoken(kb, True)}的政策资料，"
            "其他地区的规定请咨询当地人力资源和社会保障部门（人社局）。")


def region_lacks_topic(region: str, topic: Topic) -> str:
    return (f"抱歉，我的资料里没有{region}的「{topic.name}」政策，请咨询当地人力资源和社会保障部门。"
            "也可以看看下面这些地区的：")


def topic_not_here(kb: KnowledgeBase, topic: Topic, here: str, regions: list[str]) -> str:
    return (f"您咨询的是「{topic.name}」。我的资料里没有{here}的这项政策，"
            f"只有以下地区的：{'、'.join(kb.regions[r].name for r in regions)}。")


def region_lacks(kb: KnowledgeBase, region: str, topic: Topic) -> str:
    """A region the person named beside another, for a topic only the other has."""
    name = kb.regions[region].name if region in kb.regions else region
    return f"（您问到的{name}：我的资料里没有{name}的「{topic.name}」政策，无法比较。）"


PICK_REGION_AMONG = "想看哪个地区的？（各地标准不同，请以当地规定为准）"
PICK_REGION = "请选择您所在的地区："


def ask_region_for(topic: Topic) -> str:
    return f"您咨询的是「{topic.name}」。各地政策不同，请问您在哪里参保或办理？"


def region_noted(region: str) -> str:
    return f"好的，已记住您在{region}。请直接打字提问，或者点一个话题："


def place_noted(place: str) -> str:
    return f"好的，记下了：{place}。"


# ---- greetings, help, commands --------------------------------------------------------------------
def welcome(kb: KnowledgeBase) -> tuple[str, ...]:
    return (f"您好！我是政策问答助手，可以帮您查询{_spoken(kb, False)}的"
            "就业和社保政策：能领什么、是否符合条件、要带什么材料、去哪里办。",
            "请先选择您所在的地区（也可以直接打字提问）：")


GREETING = ("您好！我是政策问答助手，可以帮您查询就业和社保政策。请问您想了解什么？"
            "可以直接打字提问，比如“失业金怎么领”，也可以点下面的话题：")
THANKS = "不客气！还有其他问题随时问我。"
HELP = ("使用方法：直接打字提问（例如“失业金一个月多少钱”“天山区社保分中心电话”），"
        "或者点按钮回答我的问题；回复按钮前的序号也可以。",
        "发送“返回”回到上一步，“重新开始”从头再来，“转人工”获取办理机构电话。")
ABOUT = "我是政策问答助手，只根据政府公开的政策文件回答，不猜测。我能回答这些话题："
RESTARTED = "好的，已重新开始。请问您想咨询什么？可以直接打字，也可以点下面的话题："
FIRST_STEP = "已经是第一步了。"
ASK_ANYTHING = "请直接提问，或者点下面的话题："
BACK = "好的，回到上一步："
EMPTY_WHILE_ASKING = "您好像没有输入内容。请点选下面的按钮："
EMPTY = "您好像没有输入文字。请直接打字提问，例如“失业金怎么领”，或者点下面的话题："
TRUNCATED = f"（您的消息比较长，我只读了最后 {MAX_INPUT_CHARS} 个字。）"
LONG_READ = "（您的消息比较长，我先找出其中的问题来回答。）"
WHAT_NEXT = "好的。您还想了解哪一项？请点选下面的按钮，或者直接打字提问。"
ANYTHING_ELSE = "好的，请问还有什么想了解的？可以直接打字提问。"
NOT_UNDERSTOOD_TOPIC = "抱歉没能理解您的问题。请换个说法再问一次，比如“失业金怎么领”“见习补贴多少钱”。"
NOT_UNDERSTOOD = "抱歉，我没有看懂您的回答。请点选下面的按钮，或者回复按钮前的序号："
STILL_NOT_UNDERSTOOD = "还是没能看懂。您可以直接联系办理机构问清楚："
KEEP_PICKING = "也可以继续点选："
ENGLISH_HINT = "(Sorry, I can only help in Chinese with employment and social-insurance policies.)"
ENGLISH_ONLY = ("Sorry, I can only answer in Chinese. I help with employment and social-insurance benefits in "
                "Urumqi, Xinjiang, the XPCC (兵团) and Xing'an League (兴安盟): unemployment benefit, internships, "
                "start-up loans, job-retention refunds, training and social-insurance subsidies. Tap a topic below.")
ENGLISH_ANSWERED = "(I read your question as the topic below and answer in Chinese, the language of the policy documents.)"
ENGLISH_ONLY_ZH = "抱歉，我只能用中文回答。我能查询就业和社保政策：能领什么、条件、材料、去哪里办。请点下面的话题，或用中文提问："


# ---- out of scope, a person to talk to ------------------------------------------------------------
def out_of_scope(kb: KnowledgeBase, elsewhere: str | None, featured: list[str]) -> tuple[str, ...]:
    first = not_ours(kb, elsewhere, "。") if elsewhere else "抱歉，这个问题不在我的资料范围内，我不想乱猜。"
    return (first, f"我能回答{_spoken(kb, False)}的就业和社保政策，例如：" + "、".join(featured) + "。",
            "如需人工帮助，可以联系：")


CONTACT_STAFF = "您可以直接联系办理机构的工作人员："
NO_TRANSFER = "可以直接打这些电话，向工作人员咨询："
ASK_LOCALLY = "新疆其他地州和兵团请咨询当地人力资源和社会保障部门。"


def about_policy(policy: Policy) -> str:
    return f"关于「{policy.title}」："


def general_contact(region: str, entry: OfficeEntry) -> str:
    return f"{region}：{entry_line(entry)}"


# ---- topics and policies --------------------------------------------------------------------------
def no_policy_yet(topic: Topic) -> str:
    return f"抱歉，我的资料里暂时没有「{topic.name}」的具体政策。"


def which_policy(region: str, topic: Topic, count: int, with_ended: bool) -> str:
    return (f"{region}关于「{topic.name}」有 {count} 项政策，您想了解哪一项？"
            + ("（后面几项已结束，仅供了解）" if with_ended else ""))


def each_policy(region: str, topic: Topic, count: int) -> str:
    return f"{region}关于「{topic.name}」有 {count} 项政策，就您问的这一点，原文分别是这样写的："


WHICH_IN_FULL = "想看哪一项的完整说明？"
WHICH_RELATED = "同一话题还有这些政策，您想看哪一项？"
WHICH_TOPIC = "您想咨询的是："
SAY_MORE = "您想了解哪方面的政策？可以说得具体一点，例如“失业金怎么领”，或者点下面的话题："


def which_of(words: tuple[str, ...] | list[str]) -> str:
    return f"和“{'、'.join(words)}”有关的政策有这些，您想了解哪一项？"


def asked_about(policy: Policy) -> str:
    return f"您咨询的是「{policy.title}」（{policy.region}）。"


def also(kb: KnowledgeBase, others: list[Policy], today: date) -> str:
    return ("（另有" + "；".join(f"{o.region}的「{o.title}」，{kb.standing(o, today).label}"
                               for o in others[:RELATED_NAMED]) + ("等" if len(others) > RELATED_NAMED else "") + "。）")


ENDED_NO_CHECK = "该政策已经结束，不再核对申领条件。当时的规定如下："


def source(policy: Policy, kb: KnowledgeBase) -> str:
    return f"来源：{cite(policy, kb)}"


def aspect_head(policy: Policy, aspect: str) -> str:
    return f"「{policy.title}」（{policy.region}）的{ASPECT_LABELS.get(aspect, '')}："


# ---- eligibility check ----------------------------------------------------------------------------
CHECK_FIRST = "先帮您核对申领条件："


def prefilled(phrase: str, ask: str, option: str) -> str:
    return f"（您提到“{phrase}”，所以“{ask}”按“{option}”算；不对的话请发送“重新开始”。）"


def condition_question(ask: str, position: int, count: int) -> str:
    return (f"（{position}/{count}）" if count > 1 else "") + ask


def not_eligible(policy: Policy, failed: list) -> tuple[str, ...]:
    lines = [f"根据您的回答，您暂时不符合「{policy.title}」的条件："]
    for cond in failed:
        lines.append(f"· {cond.fail}")
        if cond.remedy:
            lines.append(f"  怎么办：{cond.remedy}")
    return tuple(lines)


def eligible(unsure: list) -> tuple[str, ...]:
    if not unsure:
        return ("您符合申领条件。",)
    return ("以下几项您还不确定，需要向办理机构确认：", *(f"· {cond.ask}" for cond in unsure),
            "如果这些都符合，可以按下面的办法申请：")


# ---- offices --------------------------------------------------------------------------------------
def contact_text(policy: Policy) -> str:
    """What the source says about where to ask when it prints no office table for the policy."""
    if policy.contact_text:
        return f"咨询：{policy.contact_text}"
    if policy.channels_onsite:
        return f"办理地点：{'；'.join(policy.channels_onsite)}"
    return "原文没有列出办理机构电话，请咨询当地人力资源和社会保障部门。"


def ask_district(policy: Policy) -> str:
    unit = "旗县市" if policy.region == "兴安盟" else "区（县）"
    return f"需要办理地点和电话吗？请选择您所在的{unit}："


def offices_of(policy: Policy) -> str:
    return f"「{policy.title}」的办理机构："


def no_district_table(policy: Policy) -> str:
    return f"「{policy.title}」的原文没有按区县列出办理机构。"


def table_cited(policy: Policy, kb: KnowledgeBase) -> str:
    return f"{cite(policy, kb)} 所附办理机构表"


OFFICE_DIFFERS = "这个机构在不同政策的办理表里印的信息不完全一样，请按您要办的事选择："


def office_found(entry: OfficeEntry, titles: list[str]) -> str:
    served = "、".join(f"「{t}」" for t in titles[:OFFICE_TITLES_NAMED]) + \
        ("等" if len(titles) > OFFICE_TITLES_NAMED else "")
    return f"· {entry_line(entry)}" + (f"（办理{served}）" if served else "")


def pick_a_number(count: int) -> str:
    return f"请回复1–{count}（按钮前的序号），或者直接点按钮：" if count > 1 else "请直接点按钮："
