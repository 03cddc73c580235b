"""One message on its way through the router: normalised once, understood at most once, and the reply
being put together from the steps of the flows."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..answers.cues import split_parts
from ..answers.sentences import REFERS_BACK, asks_something, question_candidates
from ..answers.story import Quantity
from ..nlu.matcher import Matcher, Outcome, Understanding
from ..nlu.normalize import Normalized
from ..reply import Reply
from . import render
from .context import Ctx
from ..privacy import mask
from .session import POLICY_STATES, Figure, Session
from .step import SAME, Step

READ = (Outcome.MATCH, Outcome.CLARIFY)   # a reading that found a topic (or two)
MAX_STORY_CHARS = 2000                    # how much of a long story is searched for figures
QUESTION_CHARS = 300                      # the longest question kept to answer after a region button
MAX_FIGURES = 8                           # figures of a story kept (one per kind is all the conditions use)
ASKING_PARTS_CLOSE = 0.05   # a runner-up topic this close to the first leaves the whole message undecided…
ASKING_PARTS_GAIN = 0.1     # …and the asking parts alone name it this much more surely: they decide
ASKER_CLOSE = 0.1           # two topics this close, for two kinds of asker: who the person is decides


@dataclass(frozen=True)
class Message:
    """What was typed, in the forms the router compares: cleaned once by the matcher's normaliser."""

    text: str
    norm: Normalized
    command: str          # "/start" of "/start payload" or "/help@mybot"; "" when not a command

    @classmethod
    def read(cls, text: object, matcher: Matcher) -> "Message":
        text = text if isinstance(text, str) else ""
        words = text.strip().split()
        command = words[0].split("@")[0].lower() if words else ""
        return cls(text, matcher.normalize(text), command)

    @property
    def compact(self) -> str:
        return self.norm.compact


@dataclass
class Turn:
    """The reply under construction. Local to one call of `router.respond`; the session inside is only
    ever replaced, never changed."""

    ctx: Ctx
    matcher: Matcher
    message: Message
    session: Session
    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    intent: str | None = SAME
    confidence: float = 1.0
    question: str | None = None
    repeat: bool = False
    understanding: Understanding | None = None
    place_remembered: bool = False
    story: tuple[Quantity, ...] | None = None   # a long message's figures (None: the question's own)
    whole: str | None = None    # a long message normalised whole (its question sentences are read apart)

    def understand(self) -> Understanding:
        """The matcher's reading of the message — computed on first use, then reused.

        A long story is read by its question sentences, wherever they stand (the 500-character cut never
        cuts the question away); its places and figures come from the whole of it."""
        if self.understanding is None:
            u = self.matcher.understand(self.message.norm)
            asked = question_candidates(self.message.text)
            if asked:
                readings = [self.matcher.understand(q) for q in asked]
                # a sentence that names a topic before one that only asks for a person ("…电话多少")
                best = max(readings, key=lambda r: (r.outcome in READ, r.intent in self.ctx.kb.topics,
                                                    r.outcome is Outcome.MATCH, r.confidence))
                # the question sentence, unless the whole story names a topic more surely ("认定了就业困难人员
                # … 社保补贴能补多少": the story says whose 社保补贴)
                # … or names its topic outright ("搞企业新型学徒制 … 能拿多少培训补贴？") where the sentence does not
                whole_surer = u.outcome is Outcome.MATCH and (u.confidence > best.confidence or (
                    self.ctx.index.writes_topic(u.intent, u.normalized)
                    and not self.ctx.index.writes_topic(best.intent, best.normalized)))
                if (best.outcome in READ or u.outcome not in READ) and not whole_surer:
                    # the topic from the surest sentence; every asking sentence is answered ("…能申请吗？能补多少")
                    u = replace(best, region=best.region or u.region, place=best.place or u.place,
                                truncated=u.truncated, normalized=readings[-1].normalized)
                u = self._told_topic(u, asked)
                self.whole = self.matcher.normalize(self.message.text[:MAX_STORY_CHARS]).text
                if REFERS_BACK.search(u.normalized):
                    # "…申请了缓缴，还没补上。这种情况还能拿到吗？": the question is about the story itself
                    u = replace(u, normalized=self.whole)
                self.story = self.ctx.planner.figures(self.whole, self.ctx.today)
            else:
                u = self._asking_parts(u)
            u = self._by_asker(u, self.whole or u.normalized)
            self.understanding, self.confidence = u, u.confidence
            if u.truncated:
                self.lines.append(render.LONG_READ if asked else render.TRUNCATED)
        return self.understanding

    def _told_topic(self, u: Understanding, asked: list[str]) -> Understanding:
        """"…2020年开始灵活就业，按当时政策交社保能拿补贴…。可我离退休就剩几年了，…是延到什么时候？": neither the
        asking sentence nor the story's end names a topic (…问谁 电话多少 asks for a person); the sentences
        that tell may (the question is kept)."""
        if u.outcome in READ and u.intent in self.ctx.kb.topics:
            return u
        told = self.message.text[:MAX_STORY_CHARS]
        for sentence in asked:
            told = told.replace(sentence, " ")
        r = self.matcher.understand(told)
        if r.outcome not in READ:
            return u
        return replace(r, region=r.region or u.region, place=r.place or u.place, truncated=u.truncated,
                       normalized=u.normalized, original=u.original)

    def _by_asker(self, u: Understanding, text: str) -> Understanding:
        """Two close topics for two kinds of asker (企业社保补贴 / 个人社保补贴, intents/topics.yaml
        `said_by`): words of only one kind in the message ("企业招了…", "自己按灵活就业交") decide."""
        if len(u.candidates) < 2 or u.candidates[0].score - u.candidates[1].score > ASKER_CLOSE:
            return u
        topics = [self.ctx.kb.topics.get(c.intent) for c in u.candidates[:2]]
        if not all(t and t.said_by for t in topics):
            return u
        compact = text.replace(" ", "")
        said = [any(w in compact for w in t.said_by) for t in topics]
        if said.count(True) != 1:
            return u
        chosen = u.candidates[said.index(True)]
        if u.outcome is Outcome.MATCH and u.intent == chosen.intent:
            return u
        return replace(u, outcome=Outcome.MATCH, intent=chosen.intent, confidence=chosen.score)

    def _asking_parts(self, u: Understanding) -> Understanding:
        """"去年刚毕业还没找到工作，想开个奶茶店，能贷多少款，利息谁出": when the whole hesitates between two
        topics, the parts that ask decide, if they name one of the two clearly more surely (the telling parts
        point elsewhere); the whole is still what is answered."""
        parts = split_parts(u.normalized)
        asking = [p for p in parts if asks_something(p)]
        if not asking or len(asking) == len(parts):
            return u
        first = u.candidates[0].score if u.candidates else 0.0
        close = {c.intent for c in u.candidates[:2] if c.score >= first - ASKING_PARTS_CLOSE
                 and c.intent in self.ctx.kb.topics} - ({u.intent} if u.outcome is Outcome.MATCH else set())
        if not close:
            return u
        r = self.matcher.understand(" ".join(asking))
        if r.outcome is not Outcome.MATCH or r.intent not in close or r.confidence < first + ASKING_PARTS_GAIN:
            return u
        return replace(r, region=r.region or u.region, place=r.place or u.place, truncated=u.truncated,
                       normalized=u.normalized, original=u.original)

    def hear(self, u: Understanding, same_topic: bool = False) -> None:
        """Keep what the dialog needs of a question about a topic: the condition cues and title words, the
        question itself (normalised, masked, bounded: it is answered once the region or measure is known)
        and the figures of the story. `same_topic`: the words add to those already heard."""
        s = self.session
        # "…能领失业金吗？我是自己辞职的": what the story says of the conditions may stand after the question
        cues, words = self.ctx.index.hear(u.normalized, before=s if same_topic else None)
        if self.whole is not None:
            cues = self.ctx.index.hear(self.whole, before=replace(s, cues=cues))[0]
        figures = self.story if self.story is not None else self.ctx.planner.figures(u.normalized, self.ctx.today)
        story = tuple(Figure(q.subject.value, q.value, q.said) for q in figures)
        if same_topic:
            story = tuple({f.subject: f for f in (*s.story, *story)}.values())
        question = self.ctx.planner.keep_known(mask(u.normalized))[-QUESTION_CHARS:]
        self.session = replace(s, cues=cues, title_words=words, question=question, story=story[:MAX_FIGURES])

    def remember_place(self) -> None:
        """Keep the region and district the message names (once per turn)."""
        if self.place_remembered:
            return
        self.place_remembered = True
        u, s = self.understand(), self.session
        if u.region:
            s = replace(s, region=u.region, place=s.place if u.region == s.region else None)
        if u.place:
            s = replace(s, place=u.place)
        self.session = s

    def apply(self, step: Step) -> None:
        self.session = step.session
        self.lines.extend(line for line in step.lines if line)
        self.sources.extend(src for src in step.sources if src not in self.sources)
        if step.question is not None:
            self.question = step.question
        if step.intent != SAME:
            self.intent = step.intent
        self.repeat = self.repeat or step.repeat

    def reply(self) -> Reply:
        s = self.session
        text = "\n".join(self.lines).strip()
        if s.pending and not self.repeat:
            s = self.session = replace(s, prompt=self.question or text)
        intent = s.topic if self.intent == SAME else self.intent
        about_policy = intent is not None and s.state in POLICY_STATES
        return Reply(text=text, options=[b.label for b in s.pending], intent=intent,
                     policy=s.policy if about_policy else None, confidence=round(self.confidence, 3),
                     state=s.state.value, sources=list(self.sources))
