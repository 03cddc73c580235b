"""THE ANSWER SEAM: what the bot says about one policy for what was asked.

`answer(ctx, session, go)` is the only function the router calls to answer a policy — for the first answer
about a policy (`go.opening`: notice, "您咨询的是…", other policies, overview or the asked aspect) and for a
follow-up about one aspect (standard, validity, materials, process, deadline, contact, eligibility).
Everything about *composing* an answer lives here; the words themselves come from `render`.

To replace the composition (e.g. with an answer planner giving multi-part, FAQ-level answers), replace this
module's `answer`: it receives the session, the `GoTo` (policy, aspect, other policies, opening or not) and
the `Understanding` of the message when the turn has one (None for a button press), and returns a `Step`
(lines, sources, new session with its buttons) — or a `GoTo` in `Step.then` to hand on to the check or the
offices. Nothing else in the dialog composes what is said about a policy.
"""
from __future__ import annotations

from dataclasses import replace

from ...knowledge.model import FaqEntry, Policy, SourceStatus
from ...nlu.matcher import Understanding
from .. import menus, render
from ..context import Ctx
from ..session import Session, State
from ..step import Go, GoTo, Step, say
from ...answers.source_quotes import Quote
from ...answers.story import Quantity, Subject

MAX_WARNED = 12   # measures whose full ended / draft warning is remembered (then a short tag)


def answer(ctx: Ctx, s: Session, go: GoTo, understanding: Understanding | None = None) -> Step:
    """Answer `go.policy` (or, for a follow-up, the policy under discussion) about `go.aspect`."""
    if go.opening and go.policy:
        step = _opening(ctx, s, ctx.kb.policies[go.policy], go.others, go.aspect)
        return _with_other_regions(ctx, step, ctx.kb.policies[go.policy]) if go.region_guessed else step
    return _follow_up(ctx, s, go.aspect or "")


def _opening(ctx: Ctx, s: Session, policy: Policy, others_ids: tuple[str, ...] | None,
             aspect: str | None) -> Step:
    """The first answer about a policy: every part of the question the person asked (the planner), the
    other measures the same message asks about, then the follow-up buttons or the district question."""
    kb, today = ctx.kb, ctx.today
    if others_ids is None:  # picked from a list: keep offering the ones not picked
        others = [kb.policies[pid] for pid in s.related if pid in kb.policies]
        if s.policy in kb.policies and kb.policies[s.policy] not in others:
            others.insert(0, kb.policies[s.policy])
    else:
        others = [kb.policies[pid] for pid in others_ids]
    s = replace(s, policy=policy.id, topic=policy.topic)
    common = {"intent": policy.topic, "sources": (render.cite(policy, kb),)}
    if s.check and policy.conditions and not ctx.ended(policy):
        head = (render.standing_notice(policy, kb, today), render.asked_about(policy))
        return say(s, *head, then=GoTo(Go.BEGIN_CHECK, policy=policy.id), **common)
    related = [o for o in others if o.id != policy.id]
    s = replace(s, related=tuple(o.id for o in related))
    lines, sources, shown, s, needs_district = _planned(ctx, s, policy)
    unsaid = [o for o in related if o.id not in s.warned]   # a measure answered beside this one is not "另有"
    if unsaid:
        lines.append(render.also(kb, unsaid, today))
    if needs_district:
        return say(s, *lines, sources=tuple(sources), intent=policy.topic,
                   then=GoTo(Go.SHOW_CONTACT, policy=policy.id, after_answer=True))
    return say(menus.follow_ups(ctx, s, policy, done=shown), *lines, sources=tuple(sources), intent=policy.topic)


def _with_other_regions(ctx: Ctx, step: Step, policy: Policy) -> Step:
    """An answer whose region was inferred: the topic's other regions one tap away (the same question is
    answered for the one tapped), beside the usual buttons."""
    s = step.session
    if step.then is not None or not s.pending:
        return step
    others = [r for r in ctx.kb.regions_for_topic(policy.topic) if r != policy.region]
    buttons = menus.region_buttons(ctx, others, None)
    return replace(step, session=replace(s, pending=(*s.pending[:-1], *buttons, s.pending[-1])))


def _planned(ctx: Ctx, s: Session, policy: Policy) -> tuple[list[str], list[str], set[str], Session, bool]:
    """The planner's answer for the question kept in the session, plus the measures beside it."""
    planner, today = ctx.planner, ctx.today
    story = tuple(Quantity(Subject(f.subject), f.value, f.said) for f in s.story)
    q = planner.question(s.question, story)
    said = {str(c.number): (c.words, c.option) for c in s.cues if c.policy == policy.id}
    main = planner.answer(policy, q, s.place, today, warned=policy.id in s.warned, prefilled=said)
    lines, sources, warned = list(main.lines), list(main.sources), [*s.warned, policy.id]
    for other, part in planner.companions(policy, q, s.region, today):
        extra = planner.answer(other, planner.question(part, story), s.place, today, warned=other.id in warned)
        lines += ["——", *extra.lines]
        sources += [src for src in extra.sources if src not in sources]
        warned.append(other.id)
    lines += [render.region_lacks(ctx.kb, region, ctx.kb.topics[policy.topic]) for region in planner.regions_lacking(policy, q)]
    quote = planner.supplement(s.question, "\n".join(line for line in lines if line), s.region, policy)
    if quote is not None and quote.sentence.policy == policy.id:
        lines.append(render.section_sentence(quote.sentence.text))
    elif quote is not None:   # the answer shown missed the question: the sentence that holds it comes first
        doc = ctx.kb.sources[quote.sentence.source]
        lines = [*render.supplement_lines(doc, quote.sentence.text), "——", *lines]
        sources.append(f"《{doc.title}》")
    s = replace(s, warned=tuple(dict.fromkeys(warned))[-MAX_WARNED:])
    return lines, sources, main.shown, s, main.needs_district


def _follow_up(ctx: Ctx, s: Session, aspect: str) -> Step:
    """"那要带什么材料？" — one aspect of the policy under discussion."""
    policy = ctx.policy(s.policy)
    if policy is None:
        if s.topic:
            return Step(s, then=GoTo(Go.START_TOPIC, topic=s.topic, aspect=aspect, check=aspect == "eligibility"))
        return Step(s, then=GoTo(Go.OUT_OF_SCOPE))
    common = {"intent": policy.topic, "sources": (render.cite(policy, ctx.kb),)}
    if aspect == "contact":
        return Step(s, then=GoTo(Go.SHOW_CONTACT, policy=policy.id), **common)
    ended = ctx.ended(policy)
    if aspect == "eligibility" and policy.conditions and not ended:
        s = replace(s, answers={}, prefilled={})
        return Step(s, then=GoTo(Go.BEGIN_CHECK, policy=policy.id), **common)
    notice = render.standing_notice(policy, ctx.kb, ctx.today) if ended else None
    lines = (notice, render.aspect_head(policy, aspect), render.aspect_text(policy, aspect, ctx.kb, ctx.today),
             render.source(policy, ctx.kb))
    return say(menus.follow_ups(ctx, s, policy, done=aspect), *lines, **common)


def detail(ctx: Ctx, s: Session, entry: FaqEntry) -> Step:
    """"那展期呢" after an answer: the FAQ clause of the policy under discussion that answers it."""
    policy = ctx.kb.policies[entry.policy]
    line = ctx.planner.entry_line(entry, ctx.today)
    lines = (ctx.planner.short_tag(policy, ctx.today), f"「{policy.title}」（{policy.region}）：", line,
             *ctx.kb.quoted_notes(policy, ctx.today, line), render.source(policy, ctx.kb))
    return say(menus.follow_ups(ctx, s, policy), *lines, intent=policy.topic, sources=(render.cite(policy, ctx.kb),))


def document_status(ctx: Ctx, s: Session, key: str) -> Step:
    """"兵团延续失业保险援企稳岗政策的通知正式发了吗": what the bot's sources say of that document itself."""
    doc = ctx.kb.sources[key]
    standing = {SourceStatus.DRAFT: "是征求意见稿（草案），不是正式生效的文件；我的资料里没有它正式印发的版本。",
                SourceStatus.ENDED: "已经结束（整份文件的措施都已到期）。"}
    caveat = f"ℹ️ {doc.caveat}" if doc.caveat and doc.status is SourceStatus.IN_FORCE else None
    ended = [f"「{p.title}」" for p in ctx.kb.policies.values() if p.source == key and ctx.ended(p)]
    # a document in force may hold measures that have ended (乌鲁木齐's 2023 list: 降费率 ran to 2024年底)
    ended_note = f"其中已经结束的措施：{'、'.join(ended)}。" if ended and doc.status is SourceStatus.IN_FORCE else None
    lines = (f"{render.doc_name(doc)}{standing.get(doc.status, '在我的资料里是现行有效的文件。')}", ended_note,
             caveat, f"来源：{render.doc_name(doc)}")
    s = replace(s, state=State.FALLBACK, pending=(menus.TOPICS_BUTTON, menus.HUMAN_BUTTON))
    return say(s, *lines, intent=None, sources=(f"《{doc.title}》",))


def quoted(ctx: Ctx, s: Session, quote: Quote) -> Step:
    """A detail no FAQ entry covers, answered by the one source sentence that holds it, word for word."""
    sentence = quote.sentence
    doc = ctx.kb.sources[sentence.source]
    policy = ctx.policy(sentence.policy)
    if policy is None:
        lines = (render.document_notice(doc), *render.quoted_sentence(doc, sentence.text),
                 f"来源：{render.doc_name(doc)}")
        s = replace(s, state=State.FALLBACK, pending=(menus.TOPICS_BUTTON, menus.HUMAN_BUTTON))
        return say(s, *lines, intent=None, sources=(f"《{doc.title}》",))
    notice = ctx.planner.short_tag(policy, ctx.today) if policy.id in s.warned else \
        render.standing_notice(policy, ctx.kb, ctx.today)
    s = replace(s, topic=policy.topic, policy=policy.id, warned=(*s.warned, policy.id)[-MAX_WARNED:])
    lines = (notice, *render.quoted_sentence(doc, sentence.text), f"（出自「{policy.title}」这一条。）",
             render.source(policy, ctx.kb))
    return say(menus.follow_ups(ctx, s, policy), *lines, intent=policy.topic, sources=(render.cite(policy, ctx.kb),))
