"""The conversation as a route table: from each state, which kinds of message lead where.

Read `ROUTES` top to bottom to answer "from state X, where can a message go?": the first row whose kind of
message (`Heard`, tested in `HEARD`) fits the message wins. Commands, 重新开始 and 返回 are handled before
the table, the same in every state (`Dialog.respond`). The rows lead to the flows (`flows/`); where a
button press leads (`ACTIONS`) and where one flow may hand on to another (`FLOWS`) are in `dispatch.py`.

`Dialog.respond(session, text, today)` returns a NEW session with the reply; it never changes its argument.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any, Callable, NamedTuple

from ..answers.companions import asked_parts, comparison_sides, is_comparison
from ..answers.planner import AnswerPlanner
from ..answers.sentences import asks_something
from ..answers.story import story_quantities
from ..answers.source_quotes import Quote
from ..knowledge.model import FaqEntry, KnowledgeBase
from ..nlu.lexicon import CONVERSATIONAL_INTENTS, OUT_OF_SCOPE_INTENT
from ..nlu.matcher import Matcher, Outcome, Understanding
from ..reply import Reply
from . import render
from .choices import match_choice, number_out_of_range, yes_no_choice
from .context import Ctx, Index
from .dispatch import act, back, command, restart, run, run_step
from .flows import answer, contacts, help, topics
from .session import Action, Do, Session, State
from .step import Go, GoTo, Step, say
from .turn import Message, Turn

RESTART_WORDS = ("/reset", "/restart", "重新开始", "重来", "从头开始", "重新来", "清空")
BACK_WORDS = ("返回", "上一步", "返回上一步", "退回", "回到上一步", "/back")
COMMANDS = {"/start": "start", "/help": "help", "/topics": "topics", "/region": "region",
            "/human": "human", "/about": "about_bot"}
# aspects whose cue words also appear in office names' questions: never an office lookup
NOT_OFFICE_ASPECTS = ("materials", "process", "eligibility", "deadline", "validity", "amount")
FEW_WORDS = 8        # a follow-up this short that names no topic outright asks about the measure discussed
HERE_MARGIN = 0.15   # how far below the first topic a runner-up the person's region has may be taken instead


class Heard(StrEnum):
    """The kinds of message the table tells apart; `HEARD` below holds the test for each."""

    BUTTON = "one of the buttons on offer: its text, its number, or a near spelling"
    BAD_NUMBER = "a number that is no button's (12 when six are shown)"
    YES_NO = "a button, or 对/嗯/没有/不清楚 for a yes/no question"
    ELSEWHERE = "a place outside our regions, and no topic"
    REGION_LACKS_TOPIC = "one of our regions, not among those offered for the topic"
    OFFERED_PLACE = "a place typed that is one of the buttons (沙区, 乌市)"
    PLACE_ONLY = "only a place, while a question is pending"
    DISTRICT = "only a district with an office for the policy under discussion"
    DISTRICT_NO_TABLE = "only a district, for a policy whose source lists no office by district"
    REGION = "only a place: the person says where they are"
    OTHER_REGION = "after an answer, another region and what to ask of it, no topic of its own (那兵团的呢？还能申请吗)"
    OFFICE = "an office asked for by name (天山区社保分中心电话)"
    VAGUE = "words too general to name a topic (补贴, 社保)"
    CONVERSATION = "hello, thanks, help, 转人工, …"
    DOCUMENT = "a question naming a document (文号, a year) whose FAQ clearly answers it"
    TOPIC = "a question naming a topic"
    COMPARED = "two sides compared, a side naming a topic the whole question did not match clearly"
    FOLLOW_UP = "an aspect of the policy under discussion (那要带什么材料)"
    ENGLISH = "English only, no Chinese (How do I apply for unemployment benefit?)"
    DETAIL = "a detail the FAQ of the policy under discussion answers (那展期呢, 高级工补多少)"
    STORY_FACT = "after an answer, a figure of the person's own situation and no topic (才住了两个月)"
    FAQ_ANYWHERE = "no topic fits, but one FAQ entry clearly answers the question"
    SOURCE_QUOTE = "no topic and no FAQ entry fits, but one sentence of a source clearly holds the question's words"
    DOCUMENT_STATUS = "no topic fits, the message repeats a document's title and asks whether it is in force"
    DOCUMENT_ONLY = "the message's only topic words are about a document (通知, 正式, 文件) and it asks its standing"
    NAMED_TOPIC = "read as out of scope, but the message names the closest topic by its own name (就业见习…硬杠杠)"
    INTENT = "a topic recognised without topic words"
    ANYTHING_ASKED = "anything else while a question is pending"
    BARE_YES_NO = "是 / 好的 / 不用 when nothing was asked"
    CLOSE_CALL = "two topics too close to call"
    ANYTHING = "anything else"


@dataclass(frozen=True)
class Route:
    heard: Heard
    to: Callable[[Turn, Any], None]


# ---- where each kind of message leads (the handlers) ------------------------------------------------
def press(t: Turn, index: int) -> None:
    t.confidence = 1.0
    act(t, t.session.pending[index].action)


def press_offered(t: Turn, action: Action) -> None:
    u = t.understanding
    if action.kind is Do.REGION and u is not None and u.place:
        t.session = replace(t.session, place=u.place)
    act(t, action)


def bad_number(t: Turn, _: Any) -> None:
    s = t.session
    t.apply(say(s, render.pick_a_number(len(s.pending)), s.prompt, repeat=True))


def refuse_elsewhere(t: Turn, place: str) -> None:
    t.apply(say(t.session, render.not_ours(t.ctx.kb, place), t.session.prompt, repeat=True))


def region_lacks_topic(t: Turn, region: str) -> None:
    line = render.region_lacks_topic(region, t.ctx.kb.topics[t.session.topic or ""])
    t.apply(say(t.session, line, t.session.prompt, repeat=True))


def note_place(t: Turn, u: Understanding) -> None:
    """"乌鲁木齐" in the middle of a question: remember it, then ask the question again."""
    t.remember_place()
    t.apply(say(t.session, render.place_noted(u.place or u.region or ""), t.session.prompt, repeat=True))


def district_office(t: Turn, policy_id: str) -> None:
    t.remember_place()
    run(t, GoTo(Go.SHOW_CONTACT, policy=policy_id))


def no_district_table(t: Turn, policy_id: str) -> None:
    t.remember_place()
    t.apply(contacts.no_district_table(t.ctx, t.session, t.ctx.kb.policies[policy_id]))


def region_named(t: Turn, u: Understanding) -> None:
    """"兵团" on its own: the person says where they are; answer the topic for that region."""
    run_step(t, topics.chose_region(t.ctx, t.session, u.region or ""))
    t.session = replace(t.session, place=u.place or t.session.place)


def other_region(t: Turn, region: str) -> None:
    """"那兵团的呢？现在还能申请吗": the topic under discussion, for that region, and what this message asks."""
    u = t.understand()
    t.hear(u, same_topic=True)
    t.session = replace(t.session, aspect=u.aspect or t.session.aspect)
    run_step(t, topics.chose_region(t.ctx, t.session, region))
    t.session = replace(t.session, place=u.place or t.session.place)


def office(t: Turn, step: Step) -> None:
    if step.then and step.then.to is Go.START_TOPIC:
        # a measure asked about beside the office: its question is answered ("…在哪，电话多少")
        t.session = step.session
        t.hear(t.understand())
        step = replace(step, session=t.session)
    run_step(t, step)


def list_topics(t: Turn, u: Understanding) -> None:
    run_step(t, topics.vague(t.ctx, t.session, u))


def conversation(t: Turn, u: Understanding) -> None:
    t.intent = u.intent
    command(t, u.intent or "")


def topic_question(t: Turn, u: Understanding) -> None:
    if u.outcome is Outcome.CLARIFY:
        clarify(t, u)
        return
    if _english_topic(u):
        t.lines.append(render.ENGLISH_ANSWERED)
    t.hear(u, same_topic=u.intent == t.session.topic)
    run(t, GoTo(Go.START_TOPIC, topic=_topic_here(t, u), aspect=u.aspect))


def _topic_here(t: Turn, u: Understanding) -> str | None:
    """The topic read, or a close runner-up that the person's region has when the first one it has not
    ("突泉县…就业困难人员…社保补贴": 兴安盟 has 个人社保补贴, not 企业社保补贴)."""
    kb, region = t.ctx.kb, u.region or t.session.region
    titled = t.ctx.planner.chooser.titled_topic(t.ctx.planner.prepare(u.normalized),
                                                [(c.intent, c.score) for c in u.candidates if c.intent in kb.topics])
    if titled:
        return titled
    if not region or region not in kb.regions or region in kb.regions_for_topic(u.intent or ""):
        return u.intent
    first = next((c.score for c in u.candidates if c.intent == u.intent), 0.0)
    here = next((c for c in u.candidates if c.intent in kb.topics and region in kb.regions_for_topic(c.intent)
                 and first - c.score <= HERE_MARGIN), None)
    return here.intent if here else u.intent


def start_topic(t: Turn, u: Understanding) -> None:
    t.hear(u)
    run(t, GoTo(Go.START_TOPIC, topic=u.intent, aspect=u.aspect))


def compared_topic(t: Turn, topic: str) -> None:
    u = t.understand()
    t.hear(u)
    run(t, GoTo(Go.START_TOPIC, topic=topic, aspect=u.aspect))


def follow_up(t: Turn, u: Understanding) -> None:
    run(t, GoTo(Go.ANSWER, aspect=u.aspect))


def english(t: Turn, u: Understanding) -> None:
    t.apply(help.english(t.ctx, t.session, u))


def story_fact(t: Turn, u: Understanding) -> None:
    """"才住了两个月" after the answer: the measure answered again for the story as it now stands (the
    conditions it falls short of named)."""
    t.hear(u, same_topic=True)
    run(t, GoTo(Go.ANSWER, policy=t.session.policy, others=(), opening=True))


def detail(t: Turn, entry: FaqEntry) -> None:
    t.apply(answer.detail(t.ctx, t.session, entry))


def faq_anywhere(t: Turn, found: tuple[FaqEntry, str]) -> None:
    entry, text = found
    t.hear(replace(t.understand(), normalized=text))   # the text the entry was found by is the question
    policy = t.ctx.kb.policies[entry.policy]
    t.session = replace(t.session, topic=policy.topic, aspect=t.understand().aspect, check=False)
    run(t, GoTo(Go.ANSWER, policy=policy.id, others=(), opening=True))


def document_status(t: Turn, key: str) -> None:
    t.apply(answer.document_status(t.ctx, t.session, key))


def source_quote(t: Turn, quote: Quote) -> None:
    t.hear(t.understand())
    t.apply(answer.quoted(t.ctx, t.session, quote))


def not_understood(t: Turn, _: Any) -> None:
    t.apply(help.not_understood(t.ctx, t.session))


def what_next(t: Turn, _: Any) -> None:
    t.apply(say(t.session, render.WHAT_NEXT, repeat=True))


def clarify(t: Turn, u: Understanding) -> None:
    t.hear(u)
    run_step(t, topics.clarify(t.ctx, t.session, u))


def out_of_scope(t: Turn, u: Understanding) -> None:
    t.apply(help.out_of_scope(t.ctx, t.session, u))


# ---- THE TABLE ----------------------------------------------------------------------------------------
# after a state's own rows: a place on its own, then a new question of any kind
PLACES = (Route(Heard.DISTRICT, district_office), Route(Heard.DISTRICT_NO_TABLE, no_district_table),
          Route(Heard.REGION, region_named))
NEW_QUESTION = (Route(Heard.CONVERSATION, conversation), Route(Heard.ENGLISH, english),
                Route(Heard.DOCUMENT, faq_anywhere), Route(Heard.DOCUMENT_ONLY, document_status),
                Route(Heard.TOPIC, topic_question),
                Route(Heard.COMPARED, compared_topic),
                Route(Heard.FOLLOW_UP, follow_up), Route(Heard.INTENT, start_topic))
# what is left when nothing was asked (or nothing matched what was asked)
AT_REST = (Route(Heard.BARE_YES_NO, what_next), Route(Heard.CLOSE_CALL, clarify),
           Route(Heard.DOCUMENT_STATUS, document_status), Route(Heard.FAQ_ANYWHERE, faq_anywhere),
           Route(Heard.SOURCE_QUOTE, source_quote),
           Route(Heard.NAMED_TOPIC, topic_question), Route(Heard.ANYTHING, out_of_scope))
ASKED_AGAIN = (Route(Heard.PLACE_ONLY, note_place),)
WHILE_ASKING = (*PLACES, Route(Heard.OFFICE, office), Route(Heard.DETAIL, detail), *NEW_QUESTION, Route(Heard.ANYTHING_ASKED, not_understood),
                *AT_REST)
AFTER_ANSWER = (Route(Heard.BUTTON, press), Route(Heard.BAD_NUMBER, bad_number), *PLACES,
                Route(Heard.OTHER_REGION, other_region), Route(Heard.OFFICE, office),
                Route(Heard.DETAIL, detail), Route(Heard.STORY_FACT, story_fact), Route(Heard.VAGUE, list_topics),
                *NEW_QUESTION, *AT_REST)

ROUTES: dict[State, tuple[Route, ...]] = {
    State.ASKING_REGION: (Route(Heard.BUTTON, press), Route(Heard.BAD_NUMBER, bad_number),
                          Route(Heard.ELSEWHERE, refuse_elsewhere),
                          Route(Heard.REGION_LACKS_TOPIC, region_lacks_topic),
                          Route(Heard.OFFERED_PLACE, press_offered), *WHILE_ASKING),
    State.ASKING_DISTRICT: (Route(Heard.BUTTON, press), Route(Heard.BAD_NUMBER, bad_number),
                            Route(Heard.OFFERED_PLACE, press_offered), *WHILE_ASKING),
    State.CHECKING: (Route(Heard.YES_NO, press), Route(Heard.BAD_NUMBER, bad_number), *ASKED_AGAIN, *WHILE_ASKING),
    State.CLARIFYING: (Route(Heard.BUTTON, press), Route(Heard.BAD_NUMBER, bad_number), *ASKED_AGAIN, *WHILE_ASKING),
    State.CHOOSING: (Route(Heard.BUTTON, press), Route(Heard.BAD_NUMBER, bad_number), *ASKED_AGAIN, *WHILE_ASKING),
    State.IDLE: AFTER_ANSWER,
    State.ANSWERED: AFTER_ANSWER,
    State.FALLBACK: AFTER_ANSWER,
    State.ERROR: AFTER_ANSWER,
}
# kinds tested before the message's places are remembered in the session; all later kinds see them
BEFORE_REMEMBERING = frozenset({Heard.BUTTON, Heard.YES_NO, Heard.BAD_NUMBER, Heard.ELSEWHERE, Heard.REGION_LACKS_TOPIC,
                                Heard.OFFERED_PLACE, Heard.PLACE_ONLY, Heard.DISTRICT, Heard.DISTRICT_NO_TABLE,
                                Heard.REGION, Heard.OTHER_REGION})

# ---- telling the kinds of message apart ---------------------------------------------------------------
def _labels(t: Turn) -> list[str]:
    return [b.label for b in t.session.pending]


def _button(t: Turn) -> int | None:
    """The button the message means — but "兴安盟就业见习" on the topic or the region buttons is a question
    that names its region and its topic, read as a question (neither is lost)."""
    labels = _labels(t)
    k = match_choice(t.message.text, labels)
    if k is None or t.message.compact == labels[k].replace(" ", "") or t.message.compact.isdigit():
        return k
    u, label = t.understand(), labels[k]
    region = t.ctx.kb.regions.get(u.region or "")
    names = (u.region or "", region.short if region else "", u.place or "")
    if u.region and not any(n and n in label for n in names):
        return None   # another region named beside the button's words
    # "兴安盟就业见习" on the region buttons: the region, and a topic the button does not name
    return None if _asks_a_topic(t, u) and any(w not in label for w in u.topic_words) else k


def _asks_a_topic(t: Turn, u: Understanding) -> bool:
    return u.outcome is Outcome.MATCH and u.intent in t.ctx.kb.topics and bool(u.topic_words)


def _only_place(u: Understanding) -> bool:
    return (u.region is not None and not u.topic_words and not u.aspect
            and not (u.outcome is Outcome.MATCH and u.intent in CONVERSATIONAL_INTENTS))


def _offered_place(t: Turn) -> Action | None:
    u, s = t.understand(), t.session
    if _asks_a_topic(t, u):
        return None   # "兴安盟就业见习" on the region buttons: a question with its region, answered as one
    for b in s.pending:
        if s.state == State.ASKING_DISTRICT and u.place and b.action == Action(Do.DISTRICT, u.place):
            return b.action
        if s.state == State.ASKING_REGION and u.region and b.action == Action(Do.REGION, u.region):
            return b.action
    return None


def _elsewhere(t: Turn) -> str | None:
    u = t.understand()
    places = u.entities.get("elsewhere")
    return places[0] if places and not u.region and not u.topic_words else None  # type: ignore[index]


def _region_lacks_topic(t: Turn) -> str | None:
    u, s = t.understand(), t.session
    if u.region and s.topic and not u.topic_words and Action(Do.REGION, u.region) not in (b.action for b in s.pending):
        return u.region
    return None


def _district(t: Turn) -> str | None:
    u, policy = t.understand(), t.ctx.policy(t.session.policy)
    if _only_place(u) and policy and u.region == policy.region and u.place in t.ctx.contact_places(policy):
        return policy.id
    return None


def _other_region(t: Turn) -> str | None:
    u, policy = t.understand(), t.ctx.policy(t.session.policy)
    if policy is None or u.region is None or u.region not in t.ctx.kb.regions or u.region == policy.region:
        return None
    asks = bool(u.aspect) or t.ctx.planner.leans_on_answer(u.normalized)
    return u.region if asks and not u.topic_words and not u.entities.get("elsewhere") else None


def _district_no_table(t: Turn) -> str | None:
    u, s = t.understand(), t.session
    policy = t.ctx.policy(s.policy)
    if not (_only_place(u) and policy and u.place) or t.ctx.contact_places(policy):
        return None
    covering = t.ctx.kb.regions[u.region].covered_by if u.region in t.ctx.kb.regions else ()
    return policy.id if u.region in (policy.region, *covering, s.region) else None


def _office(t: Turn) -> Step | None:
    u = t.understand()
    if u.aspect in NOT_OFFICE_ASPECTS or _asks_beside_office(t, u):
        return None
    return contacts.office_lookup(t.ctx, t.session, u)


def _asks_beside_office(t: Turn, u: Understanding) -> bool:
    """"沙区的，领失业金打哪个电话？另外…学徒制…沙依巴克区人社局电话又是多少": a part that names no office asks
    about a topic of its own — the topics are answered, each with its office, not the one office alone."""
    parts = [p for p in asked_parts(u.normalized) if asks_something(p)]
    return len(parts) > 1 and any(not any(k in p for k in contacts.OFFICE_KINDS) and t.ctx.planner.reader.topic_of(p)
                                  for p in parts)


def _detail(t: Turn) -> FaqEntry | None:
    u, s = t.understand(), t.session
    policy = t.ctx.policy(s.policy)
    if policy is None or s.state not in (State.ANSWERED, State.ASKING_DISTRICT) or u.entities.get("elsewhere"):
        return None
    if u.region in t.ctx.kb.regions and u.region != policy.region and u.topic_words:
        return None   # "那2020年自治区那个降费率是到什么时候": that region's measure of the topic
    entry = t.ctx.planner.follow_up_entry(policy, u.normalized, bare=not u.topic_words)
    if u.outcome is Outcome.MATCH and u.intent != policy.topic and u.topic_words \
            and not (entry and (t.ctx.planner.leans_on_answer(u.normalized) or _few_words(t, u))):
        return None  # a question about another topic — unless it leans on the answer ("高级工呢", "能补几年")
    return entry


def _few_words(t: Turn, u: Understanding) -> bool:
    """"能补几年" after an answer: a few words asking a detail, naming no topic outright, ask about the
    measure discussed."""
    return bool(u.aspect) and len(u.normalized.replace(" ", "")) <= FEW_WORDS \
        and not t.ctx.index.writes_topic(u.intent, u.normalized)


def _faq_anywhere(t: Turn, named_only: bool = False) -> tuple[FaqEntry, str] | None:
    u = t.understand()
    if u.entities.get("elsewhere") or u.outcome is Outcome.EMPTY:
        return None
    region = u.region or t.session.region
    # a long story is read by its question sentence ("旗里打哪个电话"); the whole of it says what about
    for text in dict.fromkeys((u.normalized, t.message.norm.text)):
        hit = t.ctx.planner.anywhere(text, region, t.ctx.today, named_only)
        if hit is not None:
            return hit.entry, text
    return None


def _document_faq(t: Turn) -> tuple[FaqEntry, str] | None:
    """A document named, and its FAQ answers — unless the topic matched has a measure in that document, a
    part names that topic and none the entry's ("2020年新疆企业吸纳登记失业人员的一次性补贴，人要失业多久才算":
    一次性吸纳就业补贴, not the entry on 登记失业人员 of another measure of that document)."""
    found = _faq_anywhere(t, named_only=True)
    u = t.understand()
    if found is None or u.outcome is not Outcome.MATCH or not u.topic_words:
        return found
    kb, reader = t.ctx.kb, t.ctx.planner.reader
    hit = kb.policies[found[0].policy]
    if hit.topic == u.intent or not any(p.source == hit.source for p in kb.policies_for_topic(u.intent or "")):
        return found
    named = {n[0] for n in map(reader.topic_of, asked_parts(u.normalized)) if n}
    return None if u.intent in named and hit.topic not in named else found


def _compared(t: Turn) -> str | None:
    """"乌鲁木齐的就业见习和自治区2023年的就业见习有差别吗": read as a whole it is long and unclear; each
    side names 就业见习."""
    u = t.understand()
    if u.outcome is Outcome.MATCH or not is_comparison(u.normalized):
        return None
    named = [t.ctx.planner.reader.topic_of(side) for side in comparison_sides(u.normalized)]
    return next((n[0] for n in named if n), None)


def _source_quote(t: Turn) -> Quote | None:
    u = t.understand()
    if u.entities.get("elsewhere") or u.outcome is Outcome.EMPTY:
        return None
    return t.ctx.planner.quote(u.normalized, u.region or t.session.region)


_ASKS_STANDING = re.compile(r"正式|草案|征求意见|生效|有效|作废|废止|过期|失效|发了|出台|印发|还算数|还能用")


def _only_document_words(t: Turn) -> bool:
    """"兵团那个通知是正式文件吗": 通知、正式、文件 read like a topic's words, but they are about a document."""
    words = t.understand().topic_words
    return bool(words) and all(_ASKS_STANDING.fullmatch(w) or t.ctx.planner.documents.is_document_word(w)
                               for w in words)


def _document_status(t: Turn) -> str | None:
    u = t.understand()
    if not _ASKS_STANDING.search(u.normalized.replace(" ", "")):
        return None
    planner = t.ctx.planner
    compact = planner.prepare(u.normalized)
    return planner.documents.titled(compact) or planner.documents.of_region(compact, planner.reader.regions_in(u.normalized))


def _named_topic(t: Turn) -> Understanding | None:
    """"想在乌鲁木齐申请当就业见习单位，对劳动合同签订率有没有硬杠杠": the words around it are unknown, but
    a person who writes a topic's own name asks about it — when that topic is also the closest match."""
    u = t.understand()
    if u.outcome is not Outcome.OUT_OF_SCOPE or u.entities.get("elsewhere"):
        return None
    first = next((c for c in u.candidates if c.intent != OUT_OF_SCOPE_INTENT), None)
    if first is None or not t.ctx.index.writes_topic(first.intent, u.normalized):
        return None
    return replace(u, outcome=Outcome.MATCH, intent=first.intent, confidence=first.score)


def _asks_of_it(u: Understanding) -> bool:
    """An aspect of the measure under discussion: "那要带什么材料", or words too general for a topic that ask
    something of it ("补贴多少" after the 见习 answer)."""
    return u.is_follow_up or u.outcome is Outcome.VAGUE and bool(u.aspect)


def _english_topic(u: Understanding) -> bool:
    """"How much is the unemployment benefit in Urumqi?": the glossary found a topic — answer it (in
    Chinese, the documents' language) rather than only listing the topics."""
    return help.mostly_latin(u.original) and u.outcome in (Outcome.MATCH, Outcome.CLARIFY) and bool(u.topic_words) \
        and u.intent not in CONVERSATIONAL_INTENTS   # two close topics: the usual tie-breaks, then their buttons


def _understood_if(test: Callable[[Understanding, Session], bool]) -> Callable[[Turn], Understanding | None]:
    def check_(t: Turn) -> Understanding | None:
        u = t.understand()
        return u if test(u, t.session) else None
    return check_


HEARD: dict[Heard, Callable[[Turn], Any]] = {
    Heard.BUTTON: _button,
    Heard.YES_NO: lambda t: match_choice(t.message.text, _labels(t), yes_no=True),
    Heard.BAD_NUMBER: lambda t: True if number_out_of_range(t.message.text, _labels(t)) else None,
    Heard.ELSEWHERE: _elsewhere,
    Heard.REGION_LACKS_TOPIC: _region_lacks_topic,
    Heard.OFFERED_PLACE: _offered_place,
    Heard.PLACE_ONLY: _understood_if(lambda u, s: bool(s.pending) and _only_place(u)),
    Heard.DISTRICT: _district,
    Heard.DISTRICT_NO_TABLE: _district_no_table,
    Heard.REGION: _understood_if(lambda u, s: _only_place(u)),
    Heard.OTHER_REGION: _other_region,
    Heard.OFFICE: _office,
    # "办理流程" typed after an answer asks about the measure under discussion, not about 办理 in general
    Heard.VAGUE: _understood_if(lambda u, s: u.outcome is Outcome.VAGUE and not (s.policy and _asks_of_it(u))),
    # "钱能用来干啥" after an answer asks about the measure (its use of funds), not what the bot can do
    Heard.CONVERSATION: _understood_if(lambda u, s: u.outcome is Outcome.MATCH and u.intent in CONVERSATIONAL_INTENTS
                                       and not (s.policy and u.is_follow_up)),
    Heard.DOCUMENT: _document_faq,
    Heard.COMPARED: _compared,
    Heard.TOPIC: _understood_if(lambda u, s: u.outcome in (Outcome.MATCH, Outcome.CLARIFY) and bool(u.topic_words)),
    Heard.FOLLOW_UP: _understood_if(lambda u, s: bool(s.policy) and _asks_of_it(u) and not u.entities.get("elsewhere")),
    Heard.ENGLISH: _understood_if(lambda u, s: help.not_chinese(u.original) and not _english_topic(u)),
    Heard.DETAIL: _detail,
    Heard.STORY_FACT: _understood_if(lambda u, s: bool(s.policy) and s.state is State.ANSWERED
                                     and (u.outcome not in (Outcome.MATCH, Outcome.CLARIFY) or u.intent == s.topic)
                                     and bool(story_quantities(u.normalized))),
    Heard.FAQ_ANYWHERE: _faq_anywhere,
    Heard.SOURCE_QUOTE: _source_quote,
    Heard.DOCUMENT_STATUS: _document_status,
    Heard.DOCUMENT_ONLY: lambda t: _document_status(t) if _only_document_words(t) else None,
    Heard.NAMED_TOPIC: _named_topic,
    Heard.INTENT: _understood_if(lambda u, s: u.outcome is Outcome.MATCH and u.intent is not None),
    Heard.ANYTHING_ASKED: lambda t: True if t.session.pending else None,
    Heard.BARE_YES_NO: lambda t: True if t.session.pending and yes_no_choice(t.message.text, ["是", "否"]) is not None
    else None,
    Heard.CLOSE_CALL: _understood_if(lambda u, s: u.outcome is Outcome.CLARIFY),
    Heard.ANYTHING: lambda t: t.understanding,
}


def route(t: Turn) -> None:
    """A plain message: the first row of the state's table whose kind of message fits."""
    for row in ROUTES[t.session.state]:
        if row.heard not in (Heard.BUTTON, Heard.YES_NO):
            t.understand()
        if row.heard not in BEFORE_REMEMBERING:
            t.remember_place()
        found = HEARD[row.heard](t)
        if found is not None:
            row.to(t, found)
            return


class Turned(NamedTuple):
    session: Session
    reply: Reply
    understanding: Understanding | None   # None when the message was a button, a command or empty


class Dialog:
    """The conversation engine behind `PolicyBot`: knowledge, matcher and the lookups built once."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher, planner: AnswerPlanner):
        self.kb = kb
        self.matcher = matcher
        self.planner = planner
        # titles and office names read as questions are: cleaned and synonyms folded (非公有制 → 民营企业)
        normalize = matcher.normalize
        self.index = Index(kb, lambda text: normalize.fold_synonyms(normalize.clean(text)), matcher.compact)

    def respond(self, session: Session, text: str, today: date) -> Turned:
        """The reply to `text` and the session after it; `session` itself is left as it was."""
        t = Turn(Ctx(self.kb, self.index, today, self.planner), self.matcher, Message.read(text, self.matcher), session)
        m = t.message
        moved = True
        if not m.compact and m.command not in COMMANDS and m.command not in RESTART_WORDS:
            t.confidence = 0.0
            t.apply(help.empty(t.ctx, t.session))
            moved = False
        elif m.command in RESTART_WORDS or m.compact in RESTART_WORDS:
            restart(t)
            t.session = replace(t.session, history=())
            moved = False
        elif m.command in BACK_WORDS or m.compact in BACK_WORDS:
            back(t)
            moved = False
        elif m.command in COMMANDS:
            command(t, COMMANDS[m.command])
        else:
            route(t)
        before, changed = session.mark(), t.session.mark()
        reply = t.reply()  # also stores the question asked as the prompt
        after = t.session
        if moved and after.pending and before.pending and changed != before:
            after = after.remember(before)
        return Turned(after, reply, t.understanding)
