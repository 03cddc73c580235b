"""Reads the intents/ folder: examples, synonyms, aspects and the gazetteer, with clear errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..knowledge.paths import DEFAULT_INTENTS_DIR
from ..knowledge.yamlcache import read_cached
from ..knowledge.yamlio import DataError, LineDict, Problem, display_path
from .typos import HOMOPHONES_FILE, Sound, load_sounds

# Conversational intents the dialog handles itself; every other intent is a topic from topics.yaml.
CONVERSATIONAL_INTENTS = ("greeting", "thanks", "about_bot", "help", "restart", "go_back", "human")
# Examples of what the bot does NOT cover: the closest match being one of these means "not ours".
OUT_OF_SCOPE_INTENT = "out_of_scope"
ASPECTS = ("amount", "eligibility", "materials", "process", "deadline", "contact", "validity")


@dataclass(frozen=True)
class Lexicon:
    examples: dict[str, tuple[str, ...]]
    synonyms: dict[str, list[str]]
    aspects: dict[str, tuple[str, ...]]
    userdict: Path | None
    place_aliases: dict[str, tuple[str, str | None]]   # alias → (region, place or None)
    topic_ids: tuple[str, ...]
    elsewhere: tuple[str, ...] = ()                    # places outside the regions we cover
    not_places: tuple[str, ...] = ()                   # names that hold a place word and name no place
    vague: tuple[str, ...] = ()                        # words too general to name a topic on their own
    askers: tuple[str, ...] = ()                       # who asks (企业, 个人): not a topic of their own
    sounds: dict[str, Sound] = field(default_factory=dict)   # homophones of the terms' characters (typos.py)


def _string_lists(data: object, top: str, path: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    file = display_path(path)
    if not isinstance(data, LineDict) or not isinstance(data.get(top), dict):
        problems.append(Problem(file, getattr(data, "line", None), None, top, f"文件顶层应该有 `{top}:`"))
        return {}
    block = data[top]
    out = {}
    for key, values in block.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            problems.append(Problem(file, block.line_of(key), str(key), None, "应该是一个列表（每行以“- ”开头）"))
            continue
        items = [str(v).strip() for v in values if v is not None and str(v).strip()]
        out[str(key)] = tuple(items)
    return out


def _place_aliases(regions: dict) -> dict[str, tuple[str, str | None]]:
    """Every written form of a region or place → (region, place or None)."""
    aliases: dict[str, tuple[str, str | None]] = {}
    for region in regions.values():
        for alias in (region.name, *region.aliases):
            aliases.setdefault(alias, (region.name, None))
        for place in region.places:
            for alias in (place.name, *place.aliases):
                aliases[alias] = (region.name, place.name)
    return aliases


def load_lexicon(intents_dir: Path | None = None, topic_ids: tuple[str, ...] = (),
                 regions: dict | None = None, elsewhere: tuple[str, ...] | None = None,
                 not_places: tuple[str, ...] = ()) -> Lexicon:
    """The matcher's data. `regions` and `elsewhere` come from the knowledge base, which has already read
    gazetteer.yaml; without `elsewhere` (a caller with no knowledge base) the gazetteer is read here."""
    intents_dir = Path(intents_dir or DEFAULT_INTENTS_DIR)
    problems: list[Problem] = []
    loaded = {}
    vague: tuple[str, ...] = ()
    askers: tuple[str, ...] = ()
    for name, top in (("examples.yaml", "intents"), ("synonyms.yaml", "synonyms"), ("aspects.yaml", "aspects")):
        data, errs = read_cached(intents_dir / name)
        problems += errs
        loaded[top] = _string_lists(data, top, intents_dir / name, problems) if not errs else {}
        if top == "aspects" and isinstance(data, dict):
            vague = tuple(str(v) for v in data.get("vague") or [])
            askers = tuple(str(v) for v in data.get("askers") or [])
    examples = loaded["intents"]
    file = display_path(intents_dir / "examples.yaml")
    known = set(topic_ids) | set(CONVERSATIONAL_INTENTS) | {OUT_OF_SCOPE_INTENT}
    for intent in examples:
        if topic_ids and intent not in known:
            problems.append(Problem(file, None, intent, None,
                                    "意图名不认识：应该是 intents/topics.yaml 里的话题，或 "
                                    + "、".join((*CONVERSATIONAL_INTENTS, OUT_OF_SCOPE_INTENT))))
    for aspect in loaded["aspects"]:
        if aspect not in ASPECTS:
            problems.append(Problem(display_path(intents_dir / "aspects.yaml"), None, aspect, None,
                                    "方面名不认识：应该是 " + "、".join(ASPECTS) + " 之一"))
    if problems:
        raise DataError(problems)
    aliases = _place_aliases(regions or {})
    if elsewhere is None:
        gazetteer, errs = read_cached(intents_dir / "gazetteer.yaml")
        elsewhere = tuple(str(p) for p in (gazetteer or {}).get("elsewhere") or []) if not errs else ()
    userdict = intents_dir / "userdict.txt"
    return Lexicon(
        examples={k: v for k, v in examples.items() if v},
        synonyms={k: list(v) for k, v in loaded["synonyms"].items()},
        aspects=loaded["aspects"],
        userdict=userdict if userdict.exists() else None,
        place_aliases=aliases,
        topic_ids=tuple(topic_ids),
        elsewhere=elsewhere,
        not_places=not_places,
        vague=vague,
        askers=askers,
        sounds=load_sounds(intents_dir / HOMOPHONES_FILE),
    )
