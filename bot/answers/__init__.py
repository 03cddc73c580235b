"""Answers at the level of the question: FAQ matching, story facts and the answer planner."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..knowledge.paths import DEFAULT_INTENTS_DIR
from ..nlu.matcher import Outcome
from ..nlu.memo import Recent, StartupWork, Uncached
from ..knowledge.model import KnowledgeBase
from ..knowledge.yamlcache import read_cached
from ..knowledge.yamlio import DataError
from .choose import PolicyChooser
from .cues import DetailCues
from .documents import DocumentNames
from .faq_index import FaqIndex, bigrams
from .companions import COMPARE_WORDS, EACH_WORDS
from .lookup import TextReader
from .planner import AnswerPlanner
from .source_quotes import SourceQuotes

DETAILS_FILE = "details.yaml"
PREPARED_MEMORY = 2048   # prepared texts remembered (FAQ phrasings, titles, the message and its parts)


def _known_bigrams(texts: list[str], documents: list[str], fold: Callable[[str], str],
                   clean: Callable[[str], str]) -> frozenset[str]:
    """Every bigram of the bot's own words and of the source documents: what a stored question may keep
    (see keep_known). `fold`: synonyms folded into the cleaned text."""
    known = {g for t in texts for g in bigrams(fold(t).replace(" ", ""))}
    # the words of the documents themselves (纺织服装, 出口退税): public policy text, no one's name; formal
    # text, so cleaned only (the colloquial forms synonyms fold are not in it)
    known.update(g for doc in documents for g in bigrams(clean(doc).replace(" ", "")))
    return frozenset(known)


def _bigram_texts(kb: KnowledgeBase, matcher, details: dict) -> tuple[list[str], list[str]]:
    """The bot's own texts (each distinct one once) and the source documents' texts."""
    texts = [x for qs in matcher.examples_by_intent.values() for x in qs]
    texts += [a for e in kb.faq.entries for a in (*e.asks, e.answer, e.label)]
    texts += [v for p in kb.policies.values() for v in (p.title, p.summary or "", p.standard or "", p.audience or "")]
    texts += [*EACH_WORDS, *COMPARE_WORDS]   # "这俩现在还有效吗", "期限差多少": kept with the question
    texts += [c for cs in details.values() for c in cs] + [t.name for t in kb.topics.values()]
    texts += [cue.replace("…", "") for cue in matcher.aspect_words]   # 几个钱, 带啥, 能办…不
    texts += [n for r in kb.regions.values() for n in (r.name, *r.aliases, *(x for p in r.places for x in (p.name, *p.aliases)))]
    return list(dict.fromkeys(texts)), [doc.text for doc in kb.sources.values()]


def build_planner(kb: KnowledgeBase, matcher, intents_dir: Path | None = None,
                  work: StartupWork | None = None) -> AnswerPlanner:
    """The planner over this knowledge base, comparing text the way the matcher does. `work`: what start-up
    computes alike every time (the data's texts folded), kept by the engine from one start to the next."""
    data, problems = read_cached(Path(intents_dir or DEFAULT_INTENTS_DIR) / DETAILS_FILE)
    if problems:
        raise DataError(problems)
    work = work or Uncached()
    normalize = matcher.normalize

    prepared: Recent[str, str] = Recent(PREPARED_MEMORY)   # one message asks this of the same texts many times

    def prepare(text: str) -> str:
        return prepared.get(text, lambda: matcher.places.strip(normalize.fold_synonyms(normalize.clean(text)))
                            .replace(" ", ""))

    def fold(text: str) -> str:
        return normalize.fold_synonyms(normalize.clean(text))

    def regions_in(text: str) -> list[str]:
        return [m.region for m in matcher.places.find(text.replace(" ", ""))]

    def places_in(text: str) -> list[str]:
        return [m.place for m in matcher.places.find(text.replace(" ", "")) if m.place]

    chooser = PolicyChooser(kb, prepare)

    def topic_of(text: str) -> tuple[str, float] | None:
        u = matcher.understand(text)
        if u.outcome is Outcome.MATCH and u.intent in kb.topics and u.topic_words:
            titled = chooser.titled_topic(prepare(text), [(c.intent, c.score) for c in u.candidates
                                                          if c.intent in kb.topics])
            return titled or u.intent, u.confidence
        return None

    details = dict(data.get("details") or {})
    cues = DetailCues(matcher.aspect_cues, details, matcher.compact, tuple(data.get("not_cues") or ()))
    # the FAQ's own texts as the index compares them, their bigrams and postings: built once (or at an earlier start)
    prepare_faq = lambda t: matcher.places.strip(fold(t)).replace(" ", "")  # noqa: E731
    signature = normalize.signature() + matcher.places.signature()   # what `prepare` depends on besides the code
    faq = FaqIndex(kb.faq, prepare, prepare_faq, work, signature)
    texts, doc_texts = _bigram_texts(kb, matcher, details)
    known = work.value("bigrams", (normalize.signature(), texts, doc_texts),
                       lambda: _known_bigrams(texts, doc_texts, fold, normalize.clean), lambda v: isinstance(v, frozenset))
    reader = TextReader(prepare, known, regions_in, topic_of, places_in)
    documents = DocumentNames(kb, data.get("document_words") or (), prepare)
    return AnswerPlanner(kb, faq, cues, chooser, reader, documents, SourceQuotes(kb, prepare, work, signature))
