"""The sentence of a source document that answers a detail no FAQ entry and no record field covers.

The curated FAQ holds the questions people usually ask; the documents say more than that ("纺织服装企业
的厂房免费使用3年", "出口退税平均时间在10个工作日以内"). Rather than calling such a question out of scope,
the bot may quote the one source sentence that plainly holds its words — verbatim, with its document, so
every figure is as printed. A sentence must carry most of what the question is about, weighted by how rare
each word pair is across all sentences, and enough of it, or nothing is quoted.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from ..knowledge.model import KnowledgeBase, Policy
from ..knowledge.passages import section_passage
from ..nlu.memo import StartupWork, Uncached
from .faq_index import bigrams

_SENTENCE_END = re.compile(r"(?<=[。；;！？])|\n")
_SECTION_MARK = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
BODY_LINE = 20          # characters from which a line is body text rather than a heading
_MID_SENTENCE = re.compile(r"[，、\u4e00-\u9fff]$")   # a line ending here has not ended its sentence
_STARTS_HEADING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|【|\d+[.、])")
_LEAD_UNIT = re.compile(r"^(?:牵头单位|配合单位)[:：]")
MIN_CHARS, MAX_CHARS = 10, 220   # shorter is a heading, longer a run-on scrape: neither is a clean quote
QUOTE_COVER = 0.6      # share of what the question is about (IDF-weighted) that the sentence must hold
QUOTE_SHARED = 4       # and at least this many of its word pairs when the question names the document,
QUOTE_SHARED_UNNAMED = 6  # this many when it does not (chosen on the dev sets' out-of-scope questions)
OWN_PIECE = 8          # characters of a record's own words that tie a sentence to the measure
QUOTE_LEAD = 1.15      # and this far ahead of the next sentence saying something else
SECTION_SHARED = 3     # within the measure's own section: word pairs of the question a sentence must hold,
SECTION_COVER = 0.5    # the share of what was asked it must hold,
SECTION_FEW, SECTION_WHOLE = 2, 0.8   # or, holding only this many, this share of it
SECTION_GAIN = 0.25    # and how much more of it than the answer already shown
SECTION_NEWS = 4       # word pairs it must add that neither the question nor the answer holds
SHOWN_SHARE = 0.8      # a sentence whose word pairs the answer mostly shows already is not added again


@dataclass(frozen=True)
class SourceSentence:
    source: str
    text: str
    policy: str | None        # the measure whose section holds it, when its section could be found
    grams: frozenset[str]


@dataclass(frozen=True)
class Quote:
    sentence: SourceSentence
    cover: float
    shared: int


def _clear_lead(scored: list[Quote]) -> bool:
    """The best sentence stands QUOTE_LEAD ahead of the next one saying something else."""
    runner_up = next((q.cover for q in scored[1:] if q.sentence.grams != scored[0].sentence.grams), 0.0)
    return scored[0].cover >= QUOTE_LEAD * runner_up


def _cut_short(line: str) -> bool:
    """A body line that stops mid-sentence: after a comma, or a long line ending in a character (a short
    one ending so is a heading: "享受标准/时限")."""
    return line.endswith(("，", "、")) or (len(line) >= BODY_LINE and bool(_MID_SENTENCE.search(line)))


def _rejoin_broken_lines(text: str) -> str:
    """A scrape may break a sentence across lines ("…自行开展安全技能培训，在" / "应急管理部门办理…"): a line
    that stops mid-sentence is joined to the next one unless that one starts a heading of its own."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out: list[str] = []
    for line in lines:
        if out and _cut_short(out[-1]) and not _STARTS_HEADING.match(line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def split_sentences(text: str) -> list[str]:
    """Sentences of a document as printed, without section numbers at their start and without duplicates."""
    seen, out = set(), []
    for raw in _SENTENCE_END.split(_rejoin_broken_lines(text)):
        sentence = _SECTION_MARK.sub("", raw.strip())
        if MIN_CHARS <= len(sentence) <= MAX_CHARS and sentence not in seen and not _LEAD_UNIT.match(sentence):
            seen.add(sentence)
            out.append(sentence)
    return out


def _own_words(kb: KnowledgeBase, policy: Policy) -> tuple[str, ...]:
    """Pieces of the measure's record and FAQ answers long enough to recognise its sentences by."""
    texts = [policy.standard or "", policy.process or "", *(e.answer for e in kb.faq.for_policy(policy.id))]
    pieces = (piece.strip("。；;，, ") for text in texts for piece in re.split(r"……|[。；;]", text))
    return tuple(piece for piece in pieces if len(piece) >= OWN_PIECE)


def _inputs(kb: KnowledgeBase) -> tuple:
    """Everything of the knowledge base that the sentences and their word pairs are made from."""
    return ([(doc.key, doc.text) for doc in kb.sources.values()],
            [(p.id, p.source, p.section, p.section_title, p.standard, p.process, list(p.notes),
              [e.answer for e in kb.faq.for_policy(p.id)]) for p in kb.policies.values()])


def _built(kb: KnowledgeBase, prepare: Callable[[str], str]) -> dict:
    """The sentences (source, text, owner, word pairs), their word pairs' rarity and postings, and each
    measure's own sentences (text, word pairs), as builtins; each word pair one shared string."""
    owners: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}   # document → its measures' sections
    for p in kb.policies.values():
        passage = section_passage(kb, p)
        if passage.found:
            owners.setdefault(p.source, []).append((p.id, passage.passage, _own_words(kb, p)))
    one: dict[str, str] = {}

    def grams_of_text(text: str) -> frozenset[str]:
        return frozenset([one.setdefault(g, g) for g in bigrams(prepare(text))])

    sentences: list[tuple[str, str, str | None, frozenset[str]]] = []
    df: Counter[str] = Counter()
    for doc in kb.sources.values():
        for text in split_sentences(doc.text):
            # a scrape may print a sentence under the wrong heading: it belongs to a measure only when
            # it stands in that measure's section and shares words with the measure's own record
            owner = next((pid for pid, passage, own in owners.get(doc.key, ())
                          if text in passage and any(piece in text for piece in own)), None)
            grams = grams_of_text(text)
            sentences.append((doc.key, text, owner, grams))
            df.update(grams)
    total = len(sentences) or 1
    postings: dict[str, list[int]] = {}   # word pair → the sentences holding it
    for k, (_, _, _, grams) in enumerate(sentences):
        for g in grams:
            postings.setdefault(g, []).append(k)
    grams_of = {text: grams for _, text, _, grams in sentences}
    sections = {pid: passage for parts in owners.values() for pid, passage, _ in parts}
    of_policy = {}
    for p in kb.policies.values():
        # its section's sentences, and its record's notes (quoted from other sections of the same document)
        texts = dict.fromkeys([*split_sentences(sections.get(p.id, "")), *(n for n in p.notes if MIN_CHARS <= len(n))])
        of_policy[p.id] = [(text, grams_of.get(text) or grams_of_text(text)) for text in texts]
    return {"sentences": sentences, "idf": {g: math.log(1 + total / c) for g, c in df.items()}, "postings": postings,
            "of_policy": of_policy}


def _valid(found: object, policies: int) -> bool:
    return (isinstance(found, dict) and set(found) == {"sentences", "idf", "postings", "of_policy"}
            and isinstance(found["sentences"], list) and all(isinstance(s, tuple) and len(s) == 4 for s in found["sentences"])
            and isinstance(found["idf"], dict) and isinstance(found["postings"], dict)
            and isinstance(found["of_policy"], dict) and len(found["of_policy"]) == policies)


class SourceQuotes:
    """Every sentence of every source, with the rarity of its word pairs across all of them."""

    def __init__(self, kb: KnowledgeBase, prepare: Callable[[str], str], work: StartupWork | None = None,
                 signature: str = ""):
        """`work` keeps the sentences and their word pairs from one start to the next; `signature`: what
        `prepare` depends on besides the code."""
        state = (work or Uncached()).value("quotes", (signature, _inputs(kb)), lambda: _built(kb, prepare),
                                           lambda found: _valid(found, len(kb.policies)))
        self._sentences = [SourceSentence(*sentence) for sentence in state["sentences"]]
        self._idf: dict[str, float] = state["idf"]
        self._postings: dict[str, list[int]] = state["postings"]
        self._of_policy = {pid: [SourceSentence(kb.policies[pid].source, text, pid, grams) for text, grams in kept]
                           for pid, kept in state["of_policy"].items()}   # every sentence of each measure's section

    def cover(self, about: set[str], grams: set[str] | frozenset[str]) -> float:
        """How much of what a question is about (IDF-weighted, as `best` weighs it) a text holds."""
        known = [g for g in about if g in self._idf]
        weight = sum(self._idf[g] for g in known)
        return sum(self._idf[g] for g in known if g in grams) / weight if weight else 0.0

    def best_of_section(self, policy_id: str, about: set[str], shown: set[str]) -> Quote | None:
        """The sentence of the measure's own section that holds what was asked and the answer shown does not
        (the topic is settled, so fewer shared words than `best` needs will do)."""
        held = self.cover(about, shown)
        known = {g for g in about if g in self._idf}
        scored = []
        for sentence in self._of_policy.get(policy_id, ()):
            shared = known & sentence.grams
            news = len(sentence.grams - about - shown)   # a heading (（1）城镇居民就业技能培训) only repeats the question
            if len(shared) >= SECTION_FEW and news >= SECTION_NEWS and \
                    len(sentence.grams & shown) < SHOWN_SHARE * len(sentence.grams):
                scored.append(Quote(sentence, self.cover(about, sentence.grams), len(shared)))
        best = max(scored, key=lambda q: q.cover, default=None)
        if best is None or best.cover - held < SECTION_GAIN:
            return None
        # three of the question's word pairs and half of what it is about, or two that are nearly all of it
        # ("企业划型还没定下来": 划型 is the whole question)
        enough = best.shared >= SECTION_SHARED and best.cover >= SECTION_COVER or best.cover >= SECTION_WHOLE
        return best if enough else None

    def best(self, about: set[str], sources: Iterable[str] | None = None, named: bool = False,
             whole: set[str] | None = None) -> Quote | None:
        """The one sentence (of these sources) that holds what the question is about, if one clearly does.

        `about`: the word pairs of the question with the ways of asking taken out (多少钱, 怎么办理);
        `named`: the question named the document (文号, year), so fewer shared words are enough."""
        known = {g for g in about if g in self._idf}
        weight = sum(self._idf[g] for g in known)
        need = QUOTE_SHARED if named else QUOTE_SHARED_UNNAMED
        if len(known) < need or not weight:
            return None
        wanted = set(sources) if sources is not None else None
        hits = Counter(k for g in known for k in self._postings.get(g, ()))
        scored = []
        for k in sorted(k for k, n in hits.items() if n >= need):   # document order, as ties are broken
            sentence = self._sentences[k]
            if wanted is not None and sentence.source not in wanted:
                continue
            shared = known & sentence.grams
            if len(shared) >= need:
                scored.append(Quote(sentence, sum(self._idf[g] for g in shared) / weight, len(shared)))
        scored.sort(key=lambda q: -q.cover)
        if not scored or scored[0].cover < QUOTE_COVER:
            return None
        if _clear_lead(scored):
            return scored[0]
        if not whole:
            return None
        # sentences that hold the subject alike ("以单位形式参保的个体工商户" in three clauses): the rest of
        # the question's words (就业补贴) decide
        wider = about | {g for g in whole if g in self._idf}
        close = sorted(((self.cover(wider, q.sentence.grams), q) for q in scored if q.cover >= scored[0].cover / QUOTE_LEAD),
                       key=lambda pair: -pair[0])
        (lead, first), rest = close[0], close[1:]
        runner_up = max((c for c, q in rest if q.sentence.grams != first.sentence.grams), default=0.0)
        return first if lead >= QUOTE_LEAD * runner_up else None
