"""Scores a question against every intent's examples and decides: match, clarify or out of scope.

Two views of similarity are combined:
- a token/character-bigram profile per intent (IDF-weighted centroid of its examples), which rewards the
  words that set a topic apart and tolerates long stories around them;
- RapidFuzz similarity to the single closest example, token-level and character-level, which rewards
  near-paraphrases and tolerates small typos. RapidFuzz runs only on the examples that could matter
  (`candidates.py`: a character index bounds every example's score), with exactly the result of scoring all.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from .candidates import QueryViews, exact_scores, reaches, scores_of
from .example_set import ExampleSet, Prepared, prepared
from .entities import PlaceFinder, find_age
from .lexicon import CONVERSATIONAL_INTENTS, OUT_OF_SCOPE_INTENT, Lexicon
from .memo import Recent, StartupWork, Uncached
from .normalize import Normalized, Normalizer
from .phrases import GAP, PHONE_HOW_MUCH, NeedleIndex, needle, phrase_pattern
from .segmenter import make_tokenizer
from .typos import TypoFolder


SEAT_SUFFIX = "本级"   # a region's own level (盟本级), named loosely ("盟里"): a district named too is more exact
CROSS_REGION_INTENTS = frozenset({"ui_transfer"})  # moving insurance between provinces names other places
FEATURE_CAP = 300
# "2020年和2023年的就业见习": years compared name documents (the chooser reads them), not a topic; the text is
# compared without them. One year alone may belong to the topic ("2022年没交的社保" → 缓缴) and stays
YEAR = re.compile(r"(?:19|20)\d\d\s*年(?:度)?")
RECENT_READINGS = 16   # readings remembered: one message's views (see memo.py; the engine empties it per message)
LONG_STORY_CHARS = 40  # characters looked at for scoring; longer stories keep their question near the end


class Outcome(StrEnum):
    """What the matcher made of a message."""

    MATCH = "match"                # one intent, clearly
    CLARIFY = "clarify"            # two topics too close to call
    VAGUE = "vague"                # only words too general to name a topic ("补贴")
    OUT_OF_SCOPE = "out_of_scope"  # not something the bot covers
    EMPTY = "empty"                # nothing left to read


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float


AMBIGUOUS_REGION_WORDS = frozenset({"自治区"})   # 新疆维吾尔自治区, but 兴安盟's documents say it of 内蒙古


@dataclass(frozen=True)
class Understanding:
    original: str
    normalized: str
    tokens: tuple[str, ...]
    outcome: Outcome
    intent: str | None
    confidence: float
    candidates: tuple[Candidate, ...]
    aspect: str | None
    region: str | None
    place: str | None
    entities: dict[str, object] = field(default_factory=dict)
    truncated: bool = False
    topic_words: tuple[str, ...] = ()   # what is left once places and aspect words are taken out

    @property
    def is_follow_up(self) -> bool:
        """'那要带什么材料？' names an aspect but no topic: it refers to the topic under discussion."""
        return self.aspect is not None and not self.topic_words


def known_latin(words: list[str], vocabulary: dict[str, float]) -> list[str]:
    """"就业见习的internship period一般多长": an English word the glossary does not know says nothing
    the examples could match, and only dilutes the Chinese words around it (kept when it is all there is)."""
    kept = [w for w in words if not (w.isascii() and w.isalpha()) or w in vocabulary]
    return kept if any(not w.isascii() for w in kept) else words


def typo_meanings(lexicon: Lexicon) -> dict[str, str]:
    """Every term a slip may be folded to, with what it stands for (its synonym's canonical form, or the
    place it names)."""
    meanings = {alias: f"{region}/{place or ''}" for alias, (region, place) in lexicon.place_aliases.items()}
    for canonical, variants in lexicon.synonyms.items():
        meanings.update({v: canonical for v in (canonical, *variants)})
    return meanings


def _compared_text(places: PlaceFinder, text: str) -> str:
    """What is cut into words and compared: the text without its places (or years compared), at most
    FEATURE_CAP characters."""
    text = places.strip(text)
    if len(set(YEAR.findall(text))) > 1:
        text = YEAR.sub(" ", text)
    return text[-FEATURE_CAP:].replace("\n", " ")


class Matcher:
    def __init__(self, lexicon: Lexicon, *, score_cutoff: float = 0.36, clarify_margin: float = 0.05,
                 profile_weight: float = 0.3, conversational_cutoff: float = 0.45,
                 oos_margin: float = 0.0, work: StartupWork | None = None):
        self.score_cutoff = score_cutoff
        self.conversational_cutoff = conversational_cutoff
        self.oos_margin = oos_margin
        self.clarify_margin = clarify_margin
        self.profile_weight = profile_weight
        self.topic_ids = set(lexicon.topic_ids)
        self.normalize = Normalizer(lexicon.synonyms, TypoFolder(typo_meanings(lexicon), lexicon.sounds))
        self.places = PlaceFinder(lexicon.place_aliases, self.normalize.clean, lexicon.not_places)
        self.elsewhere = PlaceFinder({name: (name, None) for name in lexicon.elsewhere}, self.normalize.clean)
        self.vague = frozenset(self.normalize.fold_synonyms(self.compact(w)) for w in lexicon.vague)
        self.askers = frozenset(self.normalize.fold_synonyms(self.compact(w)) for w in lexicon.askers)
        self.aspect_words = tuple(cue for cues in lexicon.aspects.values() for cue in cues if cue.strip())
        self.aspect_cues = sorted(
            ((phrase_pattern(self.compact(cue)), aspect)
             for aspect, cues in lexicon.aspects.items() for cue in cues if cue.strip()),
            key=lambda pair: -len(pair[0].pattern))
        self._aspect_needles = NeedleIndex((needle(cue), cue, name) for cue, name in self.aspect_cues)
        self.tokenizer = make_tokenizer(lexicon.userdict)
        self.recent: Recent[str, Understanding] = Recent(RECENT_READINGS)
        self._build(lexicon.examples, work or Uncached())

    # ---- preparation -------------------------------------------------------------------------
    def compact(self, phrase: str) -> str:
        """A data-file phrase in the form questions are compared in (gaps "…" kept)."""
        return GAP.join(self.normalize.clean(part).replace(" ", "") for part in phrase.split(GAP))

    def prepare(self, text: str, keep_all_if_empty: bool = True) -> Prepared:
        return prepared(self.segment(text)[0], keep_all_if_empty)

    def segment(self, *texts: str) -> list[list[str]]:
        """The words of each text (places taken out), from ONE call of the jieba tokenizer.

        jieba cuts every run of letters/digits/Han characters on its own and yields each whitespace
        character as a token, so cutting the texts joined by a newline gives exactly the words of cutting
        each text alone — one pass over the tokenizer for all the views of a message the matcher needs.
        """
        joined = "\n".join(_compared_text(self.places, t) for t in texts)
        out: list[list[str]] = [[]]
        for token in self.tokenizer.lcut(joined):
            if token == "\n":
                out.append([])
            elif token.strip():
                out[-1].append(token)
        return out

    def _segment_all(self, texts: list[str]) -> list[list[str]]:
        """`segment(text)[0]` of each text, with the cuts of earlier starts reused (the examples)."""
        stripped = [_compared_text(self.places, t) for t in texts]
        return [[w for w in cut if w.strip()] for cut in self.tokenizer.cuts.cut_all(stripped)]

    def _example_forms(self, example: str) -> tuple[str, str]:
        """An example's normalised text and the text its words are cut from. Curated text: read as typed (no
        keyboard slips folded: the examples spell the bot's terms); the two are the same unless normalising
        had to cut or repair the example."""
        original, text = self.normalize.canonical(example)
        return text, text if original == example else self.normalize.fold_synonyms(self.normalize.clean(example))

    def _example_forms_of(self, texts: list[str]) -> list[tuple[str, str]]:
        return [self._example_forms(t) for t in texts]

    def _build(self, examples: dict[str, tuple[str, ...]], work: StartupWork) -> None:
        self.examples_by_intent = dict(examples)
        inputs = (self.normalize.signature(), self.places.signature(), (YEAR.pattern, "two or more"), self.tokenizer.cuts.key,
                  [(intent, list(texts)) for intent, texts in examples.items()])
        kept = ExampleSet.restore(work.value(
            "matcher", inputs, lambda: ExampleSet.build(examples, self._example_forms_of, self._segment_all),
            ExampleSet.valid))
        self.examples_text, self.example_intents, self.intents = kept.texts, kept.intents_of, kept.intents
        self._example_tokens = kept.tokens
        self.index, self.idf, self.profile_index = kept.index, kept.idf, kept.profiles
        topics = frozenset(k for k, i in enumerate(self.intents) if i in self.topic_ids)
        self._groups = (frozenset(range(len(self.intents))), topics)

    @property
    def examples(self) -> list[Prepared]:
        """Every example scored, as a question is prepared (made again on asking: only tools count them)."""
        return [prepared(list(tokens)) for tokens in self._example_tokens]

    # ---- scoring -----------------------------------------------------------------------------
    def profile_scores(self, query: Prepared) -> "np.ndarray":
        """Per intent (in `self.intents` order): the cosine of the question's features and its profile."""
        idf = self.idf
        weights = {f: idf[f] for f in query.features if f in idf}
        # unknown features count against the match too: a question mostly about something else scores low
        # (the features are a set: those not weighed are the unknown ones)
        unknown = (len(query.features) - len(weights)) * math.log(1 + len(self.intents))
        norm = math.sqrt(sum(w * w for w in weights.values()) + unknown * unknown / max(len(query.features), 1)) or 1.0
        return self.profile_index.scores(weights, norm)

    def score(self, query: Prepared, top: int = 5, topics: int = 2, full: bool = False) -> list[Candidate]:
        """Intents best first: at least the `top` best and the `topics` best topics, exactly as scoring every
        example would give them (`full`: every intent). What the decision reads is always among them."""
        if not query.chars:
            return []
        profile = self.profile_scores(query)
        everyone, topic_ids = self._groups
        needs = [(everyone, min(top, len(everyone))), (topic_ids, min(topics, len(topic_ids)))]
        scores = exact_scores(self.index, QueryViews.of(query.tokens, query.chars), profile, self.profile_weight, needs,
                              slack=min(0.0, self.oos_margin), full=full)
        combined = [Candidate(self.intents[k], s) for k, s in sorted(scores.items())]
        combined.sort(key=lambda c: -c.score)
        return combined

    def _better_of(self, story: Prepared, ending: Prepared, first: list[Candidate]) -> list[Candidate]:
        """Each intent's better score of two readings, ranked as if both had scored every intent.

        An intent missing from a partial ranking scores below its lowest entry, so above the higher of the
        two lowest entries every score is known; when that head does not hold what the decision reads, or
        its order would depend on an unknown score, both readings are scored in full."""
        second = self.score(ending)
        if not second:
            return first
        a, b = {c.intent: c.score for c in first}, {c.intent: c.score for c in second}
        floor = max(min(a.values()), min(b.values()))
        merged = {i: max(a.get(i, 0.0), b.get(i, 0.0)) for i in a.keys() | b.keys()}
        head = [i for i, s in merged.items() if s >= floor]
        needs = ((head, 5), ([i for i in head if i in self.topic_ids], 2))
        if any(len(group) < min(k, len(pool)) for (group, k), pool in zip(needs, self._groups)):
            a = {c.intent: c.score for c in self.score(story, full=True)}
            b = {c.intent: c.score for c in self.score(ending, full=True)}
            merged, head = {i: max(s, b.get(i, 0.0)) for i, s in a.items()}, list(a)
        else:  # ties are ordered as the story's own ranking orders them: its exact score, then intent order
            a.update(self._scores_of(story, [i for i in head if i not in a]))
        rank = {i: n for n, i in enumerate(self.intents)}
        return sorted((Candidate(i, merged[i]) for i in head), key=lambda c: (-c.score, -a[c.intent], rank[c.intent]))

    def _scores_of(self, query: Prepared, intents: list[str]) -> dict[str, float]:
        """The exact scores of a few intents (every example of theirs)."""
        if not intents:
            return {}
        ids = {name: k for k, name in enumerate(self.intents)}
        got = scores_of(self.index, QueryViews.of(query.tokens, query.chars), self.profile_scores(query),
                        self.profile_weight, [ids[i] for i in intents])
        return {self.intents[k]: s for k, s in got.items()}

    # ---- understanding -----------------------------------------------------------------------
    def aspect_of(self, text: str) -> tuple[str | None, str]:
        """The aspect asked about (longest cue wins) and the text with every aspect cue taken out."""
        compact = PHONE_HOW_MUCH.sub("电话", text.replace(" ", ""))
        aspect = None
        for piece, cue, name in self._aspect_needles.candidates(compact):  # (a replacement adds no needle)
            found = piece in compact and cue.search(compact)
            if found:
                aspect = aspect or name
                # keep what a gap ("能领…吗") spans: "能领失业金吗" still names 失业金
                kept = " ".join(g for g in found.groups() if g)
                compact = compact[:found.start()] + " " + kept + " " + compact[found.end():]
        return aspect, compact

    def _topic_words(self, residue: Prepared, has_aspect: bool) -> tuple[str, ...]:
        """What names a topic once the aspect words are gone: '办理地点' alone names none, '失业金' does."""
        known = tuple(t for t in residue.tokens if t in self.idf)
        if not known or not has_aspect:
            return known
        # "企业要带什么材料": who asks, and what — about the measure under discussion, not a topic of its own
        if all(t in self.askers for t in known):
            return ()
        views = QueryViews.of(residue.tokens, residue.chars)   # is the best topic at the cutoff? (scores few)
        return known if residue.chars and reaches(self.index, views, self.profile_scores(residue), self.profile_weight,
                                                  self._groups[1], self.score_cutoff) else ()

    def understand(self, raw: str | Normalized) -> Understanding:
        """Everything the dialog needs to know about one message; pass the `Normalized` form when the
        caller already has it, so the message is normalised once. The reading depends on the normalised
        text alone: the last few are remembered (`memo.Recent`), the typed form put back on each."""
        norm = raw if isinstance(raw, Normalized) else self.normalize(raw)
        u = self.recent.get(norm.text, lambda: self._understand(norm))
        same = u.original == norm.original and u.truncated == norm.truncated
        return u if same else replace(u, original=norm.original, truncated=norm.truncated)

    def _understand(self, norm: Normalized) -> Understanding:
        compact = norm.text.replace(" ", "")
        mentions = self.places.find(compact)
        entities: dict[str, object] = {}
        if mentions:
            entities["places"] = [m.alias for m in mentions]
        foreign = [m.alias for m in self.elsewhere.find_not_origin(compact)]
        if foreign:
            entities["elsewhere"] = foreign
        age = find_age(norm.text)
        if age is not None:
            entities["age"] = age
        aspect, residue_text = self.aspect_of(norm.text)
        text = self.elsewhere.strip(norm.text)
        clauses = text.split()
        long_story = len(text) > LONG_STORY_CHARS and len(clauses) > 2
        views = [known_latin(v, self.idf) for v in
                 self.segment(text, residue_text, *([" ".join(clauses[-2:])] if long_story else []))]
        query, residue = prepared(views[0]), prepared(views[1], keep_all_if_empty=False)
        candidates = self.score(query)
        if long_story and candidates and candidates[0].score < self.score_cutoff:
            # a long story usually ends with the question: score the last clauses on their own too
            candidates = self._better_of(query, prepared(views[2]), candidates)
        # "在兴安盟，博士后…留在自治区工作": 自治区 is Inner Mongolia there; a region named by name wins
        named = [m for m in mentions if m.alias not in AMBIGUOUS_REGION_WORDS] or mentions
        region = next((m.region for m in reversed(named)), None)
        # "户口在科右前旗……听说盟里有": the league's own level (盟本级) yields to a 旗县 also named
        place = next((m.place for m in reversed(mentions) if m.place and not m.place.endswith(SEAT_SUFFIX)),
                     None) or next((m.place for m in reversed(mentions) if m.place), None)
        top = tuple(candidates[:5])

        def result(outcome: Outcome, intent: str | None, confidence: float) -> Understanding:
            return Understanding(norm.original, norm.text, query.tokens, outcome, intent, confidence, top,
                                 aspect, region, place, entities, norm.truncated,
                                 self._topic_words(residue, aspect is not None))

        if not query.chars:
            return result(Outcome.EMPTY if not mentions else Outcome.OUT_OF_SCOPE, None, 0.0)
        content = list(residue.tokens)
        if content and all(t in self.vague for t in content) and "".join(content) not in self.examples_text:
            # "补贴" / "社保" alone: too general to pick a topic; the dialog offers a list instead
            return result(Outcome.VAGUE, None, 0.0)
        outcome, intent, score = self._decide(candidates, foreign, mentions)
        return result(outcome, intent, score)

    def _decide(self, candidates: list[Candidate], foreign: list[str], mentions: list) -> tuple[Outcome, str | None, float]:
        first = candidates[0]
        if first.intent in CONVERSATIONAL_INTENTS and first.score < self.conversational_cutoff:
            # "test", "lol": a weak likeness to "重新开始" or "你好" is not worth acting on
            candidates = [c for c in candidates if c.intent not in CONVERSATIONAL_INTENTS]
            first = candidates[0]
        oos = next((c.score for c in candidates if c.intent == OUT_OF_SCOPE_INTENT), 0.0)
        rest = [c for c in candidates if c.intent != OUT_OF_SCOPE_INTENT]
        if not rest or oos - rest[0].score >= self.oos_margin:
            # the "not ours" examples are at least as close as any topic (give or take oos_margin)
            return Outcome.OUT_OF_SCOPE, None, 0.0
        candidates = rest
        first = candidates[0]
        if first.score < self.score_cutoff:
            return Outcome.OUT_OF_SCOPE, None, first.score
        if foreign and not mentions and first.intent not in CROSS_REGION_INTENTS:
            # "西安就业见习补贴多少": a real topic, but for a place we have no documents for
            return Outcome.OUT_OF_SCOPE, None, first.score
        if first.intent in CONVERSATIONAL_INTENTS:
            topic = next((c for c in candidates if c.intent in self.topic_ids), None)
            # "你好，失业金怎么领" is a question about 失业金, not a greeting
            if topic and topic.score >= self.score_cutoff and first.intent in ("greeting", "thanks", "help"):
                first = topic
            else:
                return Outcome.MATCH, first.intent, first.score
        rivals = [c for c in candidates if c.intent != first.intent and c.intent in self.topic_ids]
        if rivals and rivals[0].score >= self.score_cutoff and first.score - rivals[0].score < self.clarify_margin:
            return Outcome.CLARIFY, first.intent, first.score
        return Outcome.MATCH, first.intent, first.score
