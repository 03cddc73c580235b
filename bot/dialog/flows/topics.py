"""From a topic to one policy: which region, then which of the region's policies (or clarify the topic)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from ...knowledge.model import Policy
from ...nlu.matcher import Understanding
from .. import menus, render
from ..context import GENERIC_BIGRAMS, Ctx, bigrams
from ...answers.choose import NAMING_ACROSS, NAMING_MIN
from ...answers.companions import is_comparison, region_of_year
from ...answers.sentences import asks_something
from ..session import Session, State
from ..step import Go, GoTo, Step, ask, say
from ..tuning import DESCRIBED_MIN, NAMED_TOPIC_CHARS, POLICY_CHOICES, RELATED_CHOICES, TOPIC_BUTTONS_NARROWED


def start_topic(ctx: Ctx, s: Session, go: GoTo) -> Step:
    """The person asked about a topic: answer it for their region, or ask which region first."""
    topic_id = go.topic or ""
    topic = ctx.kb.topics[topic_id]
    fresh = {"answers": {}, "prefilled": {}} if topic_id != s.topic else {}
    s = replace(s, topic=topic_id, policy=None, aspect=go.aspect, check=go.check, pending=(), **fresh)
    regions = ctx.kb.regions_for_topic(topic_id)
    if not regions:
        return say(s, render.no_policy_yet(topic), intent=topic_id, then=GoTo(Go.HUMAN))
    sole = None if s.region else _sole_region(ctx, topic_id, regions)
    region = s.region or sole or _region_of_year(ctx, topic_id, s.question) \
        or _region_of_document(ctx, regions, s.question)
    policies = _policies_in(ctx, topic_id, region) if region else []
    if s.region and not policies:
        # "乌鲁木齐和兴安盟的失业金有啥不一样": another region named has it (the answer says 兴安盟 has none)
        named = next((r for r in ctx.planner.reader.regions_in(s.question) if r in regions), None)
        if named is not None:
            region, policies = named, _policies_in(ctx, topic_id, named)
    if s.region and not policies:
        here = ctx.kb.regions[s.region].short if s.region in ctx.kb.regions else s.region
        s = _asking_region(ctx, s, regions, elsewhere=False)
        return ask(s, render.topic_not_here(ctx.kb, topic, here, regions), question=render.PICK_REGION_AMONG,
                   intent=topic_id)
    named = None if policies else _named_anywhere(ctx, topic_id, s.question)
    if named is not None:
        others = [p for p in ctx.kb.policies_for_topic(topic_id) if p is not named]
        opened = _open(s, named, others)
        return replace(opened, lines=(render.region_guessed(named.region),),
                       then=replace(opened.then, region_guessed=True))
    guessed = None if policies else _region_of_words(ctx, topic_id, s.question)
    if guessed is not None:
        # "技能提升补贴领过高级证…": its words stand only in one region's measures — answered, saying whose
        step = _choose_policy(ctx, s, guessed, _policies_in(ctx, topic_id, guessed))
        answering = step.then is not None and step.then.to is Go.ANSWER
        return replace(step, lines=(render.region_guessed(guessed), *step.lines),
                       then=replace(step.then, region_guessed=True) if answering else step.then)
    if not policies:
        s = _asking_region(ctx, s, regions, elsewhere=True)
        return ask(s, question=render.ask_region_for(topic), intent=topic_id)
    step = _choose_policy(ctx, s, region or "", policies)
    return replace(step, lines=(render.only_region(region or "", topic), *step.lines)) if sole else step


def _named_anywhere(ctx: Ctx, topic: str, question: str) -> Policy | None:
    """No region said or known, but the question's own words point at one region's measure ("签代为申请的
    协议", "能预支一部分"): answer it first, saying whose it is, rather than ask the region."""
    if not asks_something(question):
        return None   # "零就业家庭托底安置": a name alone asks nothing that one region's text alone answers
    said = ctx.planner.prepare(question)
    options = ctx.planner.chooser.by_year(ctx.kb.policies_for_topic(topic), said)
    return ctx.planner.chooser.named_anywhere(options, said, ignore=ctx.planner.prepare(ctx.kb.topics[topic].name))


def _sole_region(ctx: Ctx, topic: str, regions: list[str]) -> str | None:
    """The topic is one region's only, or every measure of it is one region's (自治区's 三支一扶, for 乌鲁木齐
    and the other 地州 alike): the region asked would not change the answer, so it is not asked."""
    held = {p.region for p in ctx.kb.policies_for_topic(topic)}
    return regions[0] if len(regions) == 1 else held.pop() if len(held) == 1 else None


def _region_of_words(ctx: Ctx, topic: str, question: str) -> str | None:
    """No region said, but the question's rare words stand only in one region's measures of the topic."""
    if not asks_something(question):
        return None
    prepare = ctx.planner.prepare
    return ctx.planner.chooser.region_named(ctx.kb.policies_for_topic(topic), prepare(question),
                                            prepare(ctx.kb.topics[topic].name))


def _region_of_document(ctx: Ctx, regions: list[str], question: str) -> str | None:
    """"新政发〔2020〕16号里的灵活就业社保补贴…": the document named by its 文号 or title is one region's."""
    compact = ctx.planner.prepare(question)
    documents = ctx.planner.documents
    keys = set(documents.read(compact).keys) or {documents.titled(compact)} - {None}
    named = {ctx.kb.sources[key].region for key in keys}
    return named.pop() if len(named) == 1 and named <= set(regions) else None


def _region_of_year(ctx: Ctx, topic: str, question: str) -> str | None:
    """"2020年的稳岗返还…": when only one region has the topic in a document of the year named, that one."""
    return region_of_year(ctx.kb, ctx.planner.chooser, topic, ctx.planner.prepare(question))


def chose_region(ctx: Ctx, s: Session, region: str) -> Step:
    """The person is in `region`: go on with the topic under discussion, or offer that region's topics."""
    # "我在乌兰浩特" typed for the 兴安盟 button: the district stays, one of another region does not
    places = {p.name for p in ctx.kb.regions[region].places} if region in ctx.kb.regions else set()
    s = replace(s, region=region, place=s.place if region == s.region or s.place in places else None)
    if s.topic:
        return start_topic(ctx, s, GoTo(Go.START_TOPIC, topic=s.topic, aspect=s.aspect, check=s.check))
    s = menus.offer_topics(ctx, replace(s, state=State.IDLE), TOPIC_BUTTONS_NARROWED)
    return say(s, render.region_noted(region))


def related(ctx: Ctx, s: Session) -> Step:
    """"同类其他政策": the other policies of the topic as buttons."""
    choices = [ctx.kb.policies[pid] for pid in s.related if pid in ctx.kb.policies][:RELATED_CHOICES]
    s = replace(s, state=State.CHOOSING, pending=menus.policy_buttons(choices))
    return ask(s, question=render.WHICH_RELATED)


def clarify(ctx: Ctx, s: Session, u: Understanding) -> Step:
    """Two topics were close: ask which one — unless only one of them exists where the person is, or one
    topic's FAQ clearly answers the question."""
    topics = [c.intent for c in u.candidates if c.intent in ctx.kb.topics][:2]
    region = u.region or s.region
    pool = [p for t in topics for p in ctx.kb.policies_for_topic(t) if not region or region not in ctx.kb.regions
            or p.region in {region, *ctx.kb.regions[region].covered_by}]
    # what the words name (灵活就业 → 个人社保补贴) before which FAQ clause fits the detail asked
    chosen = ctx.planner.prefer_topic(pool, s.question) or ctx.planner.quoted_topic(pool, s.question)
    topic = _described(ctx, topics, s.question) or (chosen.topic if chosen is not None else None) \
        or ctx.planner.first_of_each_asked(topics, s.question)
    if topic is not None:
        return start_topic(ctx, s, GoTo(Go.START_TOPIC, topic=topic, aspect=u.aspect))
    if s.region:
        here = [t for t in topics if s.region in ctx.kb.regions_for_topic(t)]
        if len(here) == 1:
            return start_topic(ctx, s, GoTo(Go.START_TOPIC, topic=here[0], aspect=u.aspect))
    s = replace(s, state=State.CLARIFYING, aspect=u.aspect, check=False,
                pending=menus.topic_buttons(ctx, topics) + (menus.NONE_BUTTON,))
    return ask(s, question=render.WHICH_TOPIC, intent=None)


def _described(ctx: Ctx, topics: list[str], question: str) -> str | None:
    """Of two close topics, the one whose description alone holds the question's words ("企业新招的人" is
    the employer's subsidy, whose description says 企业…新招用)."""
    if len(topics) != 2:
        return None
    said = bigrams(ctx.planner.prepare(question)) - GENERIC_BIGRAMS
    words = [bigrams(ctx.planner.prepare(f"{ctx.kb.topics[t].name}{ctx.kb.topics[t].about}")) for t in topics]
    hits = [len(said & (mine - other)) for mine, other in ((words[0], words[1]), (words[1], words[0]))]
    if max(hits) >= DESCRIBED_MIN and abs(hits[0] - hits[1]) >= DESCRIBED_MIN:
        return topics[0] if hits[0] > hits[1] else topics[1]
    return None


def vague(ctx: Ctx, s: Session, u: Understanding) -> Step:
    """"补贴" / "社保" alone: list the topics it could mean rather than guess one."""
    words = list(u.topic_words or u.tokens)
    ids = [t.id for t in ctx.kb.topics.values() if any(w in t.name or w in t.about for w in words)]
    if s.region:
        ids = [t for t in ids if s.region in ctx.kb.regions_for_topic(t)]
    if not ids:
        s = replace(menus.offer_topics(ctx, s, TOPIC_BUTTONS_NARROWED), state=State.CLARIFYING)
        return say(s, render.SAY_MORE, intent=None)
    buttons = menus.topic_buttons(ctx, ids[:TOPIC_BUTTONS_NARROWED]) + (menus.NONE_BUTTON,)
    return ask(replace(s, state=State.CLARIFYING, pending=buttons), question=render.which_of(words), intent=None)


# ---- which policy --------------------------------------------------------------------------------
def _policies_in(ctx: Ctx, topic: str, region: str) -> list[Policy]:
    """The topic's policies that apply in `region`: its own and those of the regions that cover it."""
    covered = {region, *ctx.kb.regions[region].covered_by} if region in ctx.kb.regions else {region}
    return [p for p in ctx.kb.policies_for_topic(topic) if p.region in covered]


def _asking_region(ctx: Ctx, s: Session, regions: list[str], elsewhere: bool) -> Session:
    last = menus.ELSEWHERE_BUTTON if elsewhere else menus.OTHER_BUTTON
    return replace(s, state=State.ASKING_REGION, pending=menus.region_buttons(ctx, regions, last))


def _choose_policy(ctx: Ctx, s: Session, region: str, policies: list[Policy]) -> Step:
    """The policy the person's words name, the one current policy, or a list to choose from."""
    ranked = sorted(policies, key=lambda p: _rank(ctx, p, region, ctx.today))
    # "2020年那个…": only that year's measures; words only one measure's own text has name it
    said = ctx.planner.prepare(s.question)
    ranked = ctx.planner.chooser.by_year(ranked, said)
    # a title can only pick among the policies of the most specific region on offer
    own = [p for p in ranked if p.region == ranked[0].region]
    # the person's own region first: words may name one of its measures before one of the region above
    chooser = ctx.planner.chooser
    across = NAMING_ACROSS if len(own) < len(ranked) else NAMING_MIN
    # a measure's own title words first (民营企业 → 非公有制领域…): they name it more surely than the many words
    # of its text
    named = _named_by_words(ctx, own, s.title_words) or chooser.named(own, said) or chooser.named(ranked, said, across)
    named = named or next(iter(_titled_as_topic(ctx, own, said)), None)
    if named is not None:
        # "一次性吸纳就业补贴" names one measure: answer that one, even if another is newer
        return _open(s, named, [p for p in ranked if p is not named])
    # "三支一扶有什么政策": words two of the measures hold (a 2023 and a 2020 one) narrow the choice to them
    narrowed = chooser.narrowed(own, said, ctx.planner.prepare(ctx.kb.topics[s.topic or ""].name))
    pool = [*narrowed, *(p for p in ranked if p not in own)] if narrowed else ranked
    current = [p for p in pool if not ctx.ended(p)]
    siblings = [p for p in current if p.region == current[0].region] if current else []
    if len(siblings) <= 1:
        # "一次性吸纳就业补贴一人多少钱": when the measure in force says nothing on it, the one that does
        # answers (its end said in full), and the one in force is named beside it
        first = ctx.planner.first_answering(pool, ctx.planner.question(s.question)) or pool[0]
        return _open(s, first, [p for p in ranked if p is not first])
    best = _named_by_words(ctx, siblings, s.title_words) or ctx.planner.prefer_by_faq(siblings, s.question) \
        or _same_office(ctx, s, siblings)
    if best is None and (is_comparison(s.question) or len(set(ctx.planner.reader.regions_in(s.question))) > 1):
        # "乌鲁木齐和兴安盟有啥区别", "乌鲁木齐和兴安盟的…各是怎样的": the sides are answered together, not chosen
        best = siblings[0]
    if best is not None:
        return _open(s, best, [p for p in ranked if p not in siblings])
    older = [p for p in ranked if p not in siblings][:POLICY_CHOICES - len(siblings)]
    offered = siblings + older
    s = replace(s, state=State.CHOOSING, policy=None, pending=menus.policy_buttons(offered),
                related=tuple(p.id for p in offered))
    question = render.which_policy(siblings[0].region, ctx.kb.topics[s.topic or ""], len(siblings), bool(older))
    each = ctx.planner.each_answers(siblings, ctx.planner.question(s.question), ctx.today)
    if each:   # what each measure says on the detail asked, then which to see in full
        head = render.each_policy(siblings[0].region, ctx.kb.topics[s.topic or ""], len(siblings))
        return ask(s, head, *each, question=render.WHICH_IN_FULL, intent=s.topic)
    return ask(s, question=question, intent=s.topic)


def _same_office(ctx: Ctx, s: Session, siblings: list[Policy]) -> Policy | None:
    """"阿尔山市评职称问哪个电话": when only the office is asked and every measure on offer gives the same
    one for the person's place, asking which measure would change nothing — answer with the first."""
    asked = ctx.planner.cues.asked(s.question).record
    if asked != ("contact",) or not s.place:
        return None
    offices = {tuple(ctx.contact_entries(p, s.place)) for p in siblings}
    return siblings[0] if len(offices) == 1 and () not in offices else None


def _titled_as_topic(ctx: Ctx, ranked: list[Policy], said: str) -> list[Policy]:
    """"有一次性吸纳就业补贴吗": the measures titled with the topic's own name, when the question writes it
    out and other measures of the topic are titled otherwise (加大“直补快办”落实力度)."""
    name = ctx.planner.prepare(ctx.kb.topics[ranked[0].topic].name) if ranked else ""
    if len(name) < NAMED_TOPIC_CHARS or name not in said:
        return []
    titled = [p for p in ranked if name in ctx.planner.prepare(p.title)]
    return titled if len(titled) < len(ranked) else []


def _open(s: Session, policy: Policy, others: list[Policy]) -> Step:
    return Step(s, intent=s.topic, then=GoTo(Go.ANSWER, policy=policy.id, others=tuple(p.id for p in others),
                                             aspect=s.aspect, opening=True))


def _rank(ctx: Ctx, p: Policy, region: str, today: date) -> tuple:
    """In force before draft before ended; the person's own region before its parent; newest first."""
    standing = ctx.kb.standing(p, today)
    doc = ctx.kb.sources[p.source]
    issued = doc.date.toordinal() if doc.date else date(doc.year or 1, 12, 31).toordinal()
    return (standing.ended, standing.draft, p.region != region, -issued, p.id)


def _named_by_words(ctx: Ctx, options: list[Policy], said: tuple[str, ...]) -> Policy | None:
    """The policy whose own title the person's words name ("绿色通道", "非公有制"), if exactly one.

    Only the words that set a title apart from its siblings count: the topic's own name and words
    such as 政策/补贴 say nothing about which measure is meant.
    """
    if not said or len(options) < 2:
        return None
    words = set(said)
    common = bigrams(ctx.index.clean(ctx.kb.topics[options[0].topic].name)) | GENERIC_BIGRAMS
    titles = {p.id: ctx.index.title_bigrams[p.id] for p in options}
    hits = []
    for p in options:
        others = set().union(*(t for pid, t in titles.items() if pid != p.id))
        hits.append((len((titles[p.id] - others - common) & words), p))
    hits.sort(key=lambda pair: -pair[0])
    if hits[0][0] >= 2 and hits[0][0] > hits[1][0]:
        return hits[0][1]
    return None
