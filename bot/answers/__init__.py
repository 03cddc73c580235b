"""Answers at the level of the question: FAQ matching, story facts and the answer planner."""
from __future__ import annotations

from pathlib import Path

from ..knowledge.paths import DEFAULT_INTENTS_DIR
from ..nlu.matcher import Outcome
from ..knowledge.model import KnowledgeBase
from ..knowledge.yamlio import DataError, read_yaml
from .choose import PolicyChooser
from .cues import DetailCues
from .faq_index import FaqIndex
from .planner import AnswerPlanner, TextReader

DETAILS_FILE = "details.yaml"


def build_planner(kb: KnowledgeBase, matcher, intents_dir: Path | None = None) -> AnswerPlanner:
    """The planner over this knowledge base, comparing text the way the matcher does."""
    data, problems = read_yaml(Path(intents_dir or DEFAULT_INTENTS_DIR) / DETAILS_FILE)
    if problems:
        raise DataError(problems)
    normalize = matcher.normalize

    def prepare(text: str) -> str:
        return matcher.places.strip(normalize.fold_synonyms(normalize.clean(text))).replace(" ", "")

    def regions_in(text: str) -> list[str]:
        return [m.region for m in matcher.places.find(text.replace(" ", ""))]

    def topic_of(text: str) -> tuple[str, float] | None:
        u = matcher.understand(text)
        if u.outcome is Outcome.MATCH and u.intent in kb.topics and u.topic_words:
            return u.intent, u.confidence
        return None

    cues = DetailCues(matcher.aspect_cues, dict(data.get("details") or {}), matcher.compact)
    reader = TextReader(prepare, regions_in, topic_of)
    return AnswerPlanner(kb, FaqIndex(kb.faq, prepare), cues, PolicyChooser(kb, prepare), reader)
