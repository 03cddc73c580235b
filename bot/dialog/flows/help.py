"""Everything that is not an answer about a policy: greetings and commands, a person to talk to, questions
we cannot answer, and messages we could not read."""
from __future__ import annotations

from dataclasses import replace

from ...nlu.matcher import Understanding
from ...nlu.normalize import foreign_script
from .. import menus, render
from ...knowledge.model import OfficeEntry
from ..context import Ctx
from ..session import Do, Session, State
from ..step import Go, GoTo, Step, ask, say
from ..tuning import RETRIES_BEFORE_CONTACT, TOPIC_BUTTONS


def welcome(ctx: Ctx, s: Session) -> Step:
    """/start: who the bot is, then where the person is."""
    regions = list(ctx.kb.regions)
    s = replace(s, state=State.ASKING_REGION, topic=None, policy=None,
                pending=menus.region_buttons(ctx, regions, menus.ELSEWHERE_BUTTON))
    return say(s, *render.welcome(ctx.kb))


def pick_region(ctx: Ctx, s: Session) -> Step:
    """/region: ask where the person is (and forget the topic, which may not exist there)."""
    regions = list(ctx.kb.regions)
    s = replace(s, state=State.ASKING_REGION, topic=None, policy=None,
                pending=menus.region_buttons(ctx, regions, menus.ELSEWHERE_BUTTON))
    return ask(s, question=render.PICK_REGION)


def greeting(ctx: Ctx, s: Session) -> Step:
    return say(menus.offer_topics(ctx, s, TOPIC_BUTTONS), render.GREETING)


def thanks(ctx: Ctx, s: Session) -> Step:
    if not s.pending:
        s = replace(s, state=State.ANSWERED if s.policy else State.IDLE)
    return say(s, render.THANKS)


def usage(ctx: Ctx, s: Session) -> Step:
    """/help: how to talk to the bot, some topics, and a button for all of them."""
    s = menus.offer_topics(ctx, s, TOPIC_BUTTONS)
    return say(replace(s, pending=s.pending + (menus.TOPICS_BUTTON,)), *render.HELP)


def about(ctx: Ctx, s: Session) -> Step:
    """/about, /topics, "你能做什么": every topic."""
    return say(menus.offer_topics(ctx, s, None), render.ABOUT)


def human(ctx: Ctx, s: Session, go: GoTo | None = None) -> Step:
    """"转人工": the bot cannot transfer, so it gives the office of the policy discussed or general numbers."""
    policy = ctx.policy(s.policy)
    if policy and policy.contacts:
        return say(s, render.CONTACT_STAFF, intent="human", then=GoTo(Go.SHOW_CONTACT, policy=policy.id))
    offered = _offices_of_offered(ctx, s) if policy is None else None
    if offered is not None:
        return offered
    lines = [render.about_policy(policy), render.contact_text(policy)] if policy else []
    general, sources = menus.general_contacts(ctx, s.region)
    lines += [render.NO_TRANSFER, *general]
    if s.region not in {region for region, _, _ in ctx.kb.general_contacts()}:
        lines.append(render.ASK_LOCALLY)
    s = replace(s, state=State.ANSWERED if policy else State.FALLBACK,
                pending=(menus.TOPICS_BUTTON, menus.RESTART_BUTTON))
    return say(s, *lines, intent="human", sources=sources)


def _offices_of_offered(ctx: Ctx, s: Session) -> Step | None:
    """"突泉县的电话" while choosing between a topic's measures: each one's office for that district (once,
    when they share it), instead of the general numbers."""
    offered = [p for p in (ctx.policy(pid) for pid in s.related) if p is not None and p.contacts]
    if not s.place or not offered:
        return None
    rows: dict[tuple, list[str]] = {}
    for p in offered:
        for entry in render.contact_entries(p, ctx.kb, s.place):
            if entry.place == s.place:
                rows.setdefault((entry.office, entry.address, entry.phones), []).append(p.title)
    if not rows:
        return None
    lines = [render.office_found(OfficeEntry(s.place, office, address, phones), titles)
             for (office, address, phones), titles in rows.items()]
    sources = tuple(dict.fromkeys(f"{render.cite(p, ctx.kb)} 所附办理机构表" for p in offered))
    return say(s, *lines, intent="contact", sources=sources)


def out_of_scope(ctx: Ctx, s: Session, u: Understanding | None) -> Step:
    """Not something the documents cover: say so, say what the bot does cover, and give phone numbers."""
    elsewhere = (u.entities.get("elsewhere") if u is not None else None) or []
    general, sources = menus.general_contacts(ctx, s.region)
    lines = [*render.out_of_scope(ctx.kb, elsewhere[0] if elsewhere else None, menus.featured_names(ctx)),
             *general]
    if u is not None and _mostly_latin(u.original):
        lines.append(render.ENGLISH_HINT)
    s = replace(s, state=State.FALLBACK, pending=(menus.TOPICS_BUTTON, menus.HUMAN_BUTTON))
    return say(s, *lines, intent=None, sources=sources)


def english(ctx: Ctx, s: Session, u: Understanding) -> Step:
    """A message in English only: a short bilingual reply with the topics (the one it seems to ask first).
    In Uyghur or Mongolian script: the Chinese half only (that the bot reads Chinese), with the topics."""
    general, sources = menus.general_contacts(ctx, s.region)
    ids = [u.intent] if u.intent in ctx.kb.topics else []
    ids += [t for t in menus.FEATURED_TOPICS if t in ctx.kb.topics and t not in ids]
    s = replace(s, state=State.FALLBACK, pending=menus.topic_buttons(ctx, ids[:TOPIC_BUTTONS]))
    english_line = (render.ENGLISH_ONLY,) if mostly_latin(u.original) else ()
    return say(s, *english_line, render.ENGLISH_ONLY_ZH, *general, intent=None, sources=sources)


def mostly_latin(text: str) -> bool:
    """English (or another Latin-script language) with no Chinese at all."""
    return _mostly_latin(text) and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def not_chinese(text: str) -> bool:
    """Written in a language the bot does not read: English, or the Uyghur / Mongolian script."""
    return mostly_latin(text) or foreign_script(text) is not None


def other_region(ctx: Ctx, s: Session) -> Step:
    """"其他地区": none of our regions."""
    general, sources = menus.general_contacts(ctx, s.region)
    s = replace(s, state=State.FALLBACK, pending=(menus.TOPICS_BUTTON, menus.RESTART_BUTTON))
    return say(s, render.other_region(ctx.kb), *general, sources=sources)


def something_else(ctx: Ctx, s: Session) -> Step:
    """"其他问题": nothing more on this topic."""
    s = replace(s, pending=(), state=State.IDLE, aspect=None, check=False)
    return say(menus.offer_topics(ctx, s, TOPIC_BUTTONS), render.ANYTHING_ELSE)


def none_of_these(ctx: Ctx, s: Session) -> Step:
    """"都不是": none of the offered topics."""
    s = replace(s, pending=(), state=State.FALLBACK)
    return say(menus.offer_topics(ctx, s, TOPIC_BUTTONS), render.NOT_UNDERSTOOD_TOPIC)


def empty(ctx: Ctx, s: Session) -> Step:
    """Nothing readable was sent."""
    if s.pending:
        return say(s, render.EMPTY_WHILE_ASKING, s.prompt, repeat=True)
    return say(menus.offer_topics(ctx, s, TOPIC_BUTTONS), render.EMPTY)


def not_understood(ctx: Ctx, s: Session) -> Step:
    """A question is pending and the message answers none of its buttons: ask again, then offer a phone."""
    s = replace(s, retries=s.retries + 1)
    if s.retries <= RETRIES_BEFORE_CONTACT:
        return say(s, render.NOT_UNDERSTOOD, s.prompt, repeat=True)
    policy = ctx.policy(s.policy)
    sources: tuple[str, ...] = ()
    if policy and policy.contacts and s.place:
        contact = [render.entry_line(row) for row in ctx.contact_entries(policy, s.place)]
    elif policy and not policy.contacts:
        contact = [render.contact_text(policy)]
    else:
        general, sources = menus.general_contacts(ctx, s.region)
        contact = list(general)
    if not any(b.action.kind is Do.RESTART for b in s.pending):
        s = replace(s, pending=s.pending + (menus.RESTART_BUTTON,))
    lines = (render.STILL_NOT_UNDERSTOOD, *contact, render.KEEP_PICKING, s.prompt)
    return say(s, *lines, repeat=True, sources=sources)


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) > 0.7
