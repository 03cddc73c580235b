"""Where to go and whom to call: a policy's own office table by district, or an office asked for by name."""
from __future__ import annotations

from dataclasses import replace

from ...knowledge.model import OfficeEntry, Policy
from ...nlu.matcher import Outcome, Understanding
from .. import menus, render
from ..context import Ctx
from ..session import Action, Button, Do, Session, State
from ..step import Go, GoTo, Step, ask, say
from ..tuning import TOPIC_BUTTONS

# the kinds of office a message may name ("天山区社保分中心电话")
OFFICE_KINDS = ("社保分中心", "就业服务管理中心", "人社局", "技工学校", "公共就业服务中心", "担保公司", "担保有限责任公司",
                "继续教育和职称评价管理中心", "专业技术人员管理科")


def show_contact(ctx: Ctx, s: Session, go: GoTo) -> Step:
    """The office of `go.policy` for the person's district — asking the district first when it matters."""
    policy = ctx.policy(go.policy)
    if policy is None:
        return Step(s, then=GoTo(Go.HUMAN))
    s = replace(s, policy=policy.id)
    if not policy.contacts:
        return say(menus.follow_ups(ctx, s, policy, done="contact"), render.contact_text(policy))
    places = ctx.contact_places(policy)
    if places and s.place not in places:
        buttons = tuple(Button(place, Action(Do.DISTRICT, place)) for place in places) + (menus.OTHER_BUTTON,)
        return ask(replace(s, state=State.ASKING_DISTRICT, pending=buttons), question=render.ask_district(policy))
    rows = ctx.contact_entries(policy, s.place)
    lines = ([] if go.after_answer else [render.offices_of(policy)]) + [render.entry_line(row) for row in rows]
    return say(menus.follow_ups(ctx, s, policy, done="contact"), *lines,
               sources=(render.table_cited(policy, ctx.kb),))


def district(ctx: Ctx, s: Session, place: str) -> Step:
    """A district button: that district's office for the policy under discussion."""
    return show_contact(ctx, replace(s, place=place), GoTo(Go.SHOW_CONTACT, policy=s.policy))


def no_district_table(ctx: Ctx, s: Session, policy: Policy) -> Step:
    """A district named for a policy whose source lists no office by district."""
    lines = (render.no_district_table(policy), render.contact_text(policy))
    return say(menus.follow_ups(ctx, s, policy, done="contact"), *lines)


def office_lookup(ctx: Ctx, s: Session, u: Understanding) -> Step | None:
    """"天山区社保分中心电话": the office's address and phone as printed, and what it handles there.

    None when the message names no office we know.
    """
    text = u.normalized.replace(" ", "")
    kinds = [k for k in OFFICE_KINDS if k in text]
    if not kinds:
        return None
    policy = ctx.policy(s.policy)
    found: dict[tuple, list[str]] = {}
    found_users: list[Policy] = []
    found_places: list[str | None] = []
    sources: list[str] = []
    for table in ctx.kb.tables.values():
        for i, entry in enumerate(table.entries):
            office = ctx.index.office_names.get((table.id, i))
            if not office or not (office in text or (u.place and entry.place == u.place and
                                                     any(k in office for k in kinds))):
                continue
            users = ctx.index.table_users[table.id]
            found_users += users
            found_places.append(entry.place)
            if policy and policy in users and s.state != State.IDLE:
                # talking about one policy: its own table is the truth
                s = replace(s, place=entry.place or s.place)
                return Step(s, sources=tuple(sources), then=GoTo(Go.SHOW_CONTACT, policy=policy.id))
            titles = found.setdefault((entry.office, entry.address, entry.phones), [])
            titles += [p.title for p in users if p.title not in titles]
            sources.append(render.cite_table(table, ctx.kb))
    if not found:
        return None
    named = _topic_named(ctx, text, found_users)
    if named is not None:
        # "经开区就业服务管理中心电话多少，我要办就业见习": the office as the 见习 measure's table prints it
        u = replace(u, outcome=Outcome.MATCH, intent=named)
    if _topic_asked_too(u, found_users):
        places = {place for place in found_places if place}
        s = replace(s, place=places.pop()) if len(places) == 1 else s
        return Step(s, then=GoTo(Go.START_TOPIC, topic=u.intent, aspect=u.aspect))
    topics = list(dict.fromkeys(p.topic for p in found_users)) if len(found) > 1 else []
    return _offices_found(s, found, sources, menus.topic_buttons(ctx, topics[:TOPIC_BUTTONS]))


def _topic_named(ctx: Ctx, text: str, users: list[Policy]) -> str | None:
    """The one topic of the office's measures the message names by its own name ("我要办就业见习")."""
    named = {p.topic for p in users if ctx.index.writes_topic(p.topic, text)}
    return named.pop() if len(named) == 1 else None


def _topic_asked_too(u: Understanding, users: list[Policy]) -> bool:
    """"失业金随时能申请吗？米东区社保分中心在哪": a measure this office handles is asked about as well —
    its answer, for the office's district, says both (the office's district is kept for it)."""
    return u.outcome is Outcome.MATCH and any(p.topic == u.intent for p in users)


def _offices_found(s: Session, found: dict[tuple, list[str]], sources: list[str], topics: tuple[Button, ...]) -> Step:
    """The office as each table prints it; when they differ, the topics they serve are the buttons."""
    lines = [render.OFFICE_DIFFERS] if len(found) > 1 else []
    lines += [render.office_found(OfficeEntry(None, office, address, phones), titles)
              for (office, address, phones), titles in found.items()]
    pending = topics + (menus.TOPICS_BUTTON,) + ((menus.OTHER_BUTTON,) if s.policy else ())
    s = replace(s, state=State.ANSWERED if s.policy else State.IDLE, pending=pending)
    return say(s, *lines, intent="contact", sources=tuple(dict.fromkeys(sources)))
