"""The data's texts as folded at an earlier start (bot/knowledge/textcache.py): the very results of folding
them afresh, and never a result of other texts, other synonyms or other code."""
from __future__ import annotations

import marshal
from dataclasses import replace

from bot import PolicyBot
from bot.answers import build_planner
from bot.answers.faq_index import FaqIndex
from bot.answers.source_quotes import SourceQuotes
from bot.knowledge.model import FaqBase
from bot.knowledge.textcache import TextCache
from bot.nlu.lexicon import load_lexicon
from bot.nlu.matcher import Matcher


def _state(bot_parts) -> tuple:
    matcher, planner = bot_parts
    index = planner.index
    return (matcher.examples, matcher.examples_text, matcher.example_intents, matcher.intents,
            matcher.index.state(), matcher.idf, matcher.profile_index.state(),
            planner.reader.known, *_faq_state(index), _quotes_state(planner.quotes))


def _quotes_state(quotes) -> tuple:
    return quotes._sentences, quotes._idf, quotes._postings, quotes._of_policy


def _faq_state(index) -> tuple:
    postings = index._postings
    return (index._idf, index._square, index._by_policy, postings.gram_ids, postings.ptr.tolist(),
            postings.views.tolist(), postings.view_factor.tolist())


def _built(kb, work) -> tuple:
    lexicon = load_lexicon(None, tuple(kb.topics), kb.regions, kb.elsewhere)
    matcher = Matcher(lexicon, work=work)
    return matcher, build_planner(kb, matcher, None, work)


def _mapped(cache, kind, signature, texts, fn):
    """A result over many texts, kept as one value (how the bot's own kept work uses `value`)."""
    return cache.value(kind, (signature, texts), lambda: [fn(t) for t in texts],
                       lambda found: isinstance(found, list) and len(found) == len(texts))


def test_start_up_work_read_back_is_the_work_done_afresh(tmp_path):
    kb = PolicyBot.load().kb
    fresh = _state(_built(kb, None))
    kept = TextCache([tmp_path])
    written = _state(_built(kb, kept))
    names = sorted(p.name.split("-")[0] for p in tmp_path.glob("*.marshal"))
    assert names == ["bigrams", "faq", "matcher", "quotes"]
    read_back = _state(_built(kb, TextCache([tmp_path])))
    assert fresh == written == read_back


def test_other_texts_signature_or_code_never_meet_a_kept_result(tmp_path, monkeypatch):
    calls: list[str] = []

    def fold(text: str) -> str:
        calls.append(text)
        return text.upper()

    cache = TextCache([tmp_path])
    assert _mapped(cache, "t", "sig", ["a", "b"], fold) == ["A", "B"]
    assert _mapped(TextCache([tmp_path]), "t", "sig", ["a", "b"], fold) == ["A", "B"] and len(calls) == 2
    assert _mapped(TextCache([tmp_path]), "t", "sig", ["a", "c"], fold) == ["A", "C"]     # other texts
    assert _mapped(TextCache([tmp_path]), "t", "sig2", ["a", "b"], lambda t: t * 2) == ["aa", "bb"]  # other signature
    changed = TextCache([tmp_path])
    changed._version += b"edited"                                                       # other code
    assert _mapped(changed, "t", "sig", ["a", "b"], lambda t: t + "!") == ["a!", "b!"]
    assert len(calls) == 4


def test_a_damaged_kept_result_is_a_miss(tmp_path):
    cache = TextCache([tmp_path])
    _mapped(cache, "t", "sig", ["a", "b"], str.upper)
    [kept] = tmp_path.glob("t-*.marshal")
    kept.write_bytes(b"\x00damaged")
    assert _mapped(TextCache([tmp_path]), "t", "sig", ["a", "b"], str.upper) == ["A", "B"]
    kept.write_bytes(marshal.dumps(["A"]))       # a list of the wrong length
    assert _mapped(TextCache([tmp_path]), "t", "sig", ["a", "b"], str.upper) == ["A", "B"]


def _matcher_state(lexicon, work) -> tuple:
    m = Matcher(lexicon, work=work)
    return (m.examples, m.examples_text, m.example_intents, m.intents, m.index.state(), m.idf,
            m.profile_index.state(), m._groups)


def test_the_kept_matcher_is_the_matcher_built_afresh_and_never_another_examples(tmp_path):
    kb = PolicyBot.load().kb
    lexicon = load_lexicon(None, tuple(kb.topics), kb.regions, kb.elsewhere)
    assert _matcher_state(lexicon, TextCache([tmp_path])) == _matcher_state(lexicon, None)
    [kept] = tmp_path.glob("matcher-*.marshal")
    assert _matcher_state(lexicon, TextCache([tmp_path])) == _matcher_state(lexicon, None)
    assert list(tmp_path.glob("matcher-*.marshal")) == [kept]            # read back, not built again
    examples = dict(lexicon.examples)
    first = next(iter(examples))
    examples[first] = (*examples[first], "下岗了失业保险金去哪申请")
    edited = replace(lexicon, examples=examples)                          # an edited examples.yaml
    assert _matcher_state(edited, TextCache([tmp_path])) == _matcher_state(edited, None)
    synonyms = dict(lexicon.synonyms, 失业保险金=[*lexicon.synonyms["失业保险金"], "下岗钱"])
    other = replace(lexicon, synonyms=synonyms)                           # other synonyms: other forms
    assert _matcher_state(other, TextCache([tmp_path])) == _matcher_state(other, None)
    assert len(list(tmp_path.glob("matcher-*.marshal"))) == 3


def test_a_damaged_kept_matcher_is_built_afresh(tmp_path):
    kb = PolicyBot.load().kb
    lexicon = load_lexicon(None, tuple(kb.topics), kb.regions, kb.elsewhere)
    fresh = _matcher_state(lexicon, None)
    _matcher_state(lexicon, TextCache([tmp_path]))
    [kept] = tmp_path.glob("matcher-*.marshal")
    state = marshal.loads(kept.read_bytes())
    truncated = dict(state, tokens=state["tokens"][:-1])
    odd_array = dict(state, index=dict(state["index"], owner=("<i8", b"\0" * 7)))
    for damaged in (kept.read_bytes()[:1000], b"\x00damaged", marshal.dumps(truncated), marshal.dumps(odd_array),
                    marshal.dumps([1, 2, 3])):
        kept.write_bytes(damaged)
        assert _matcher_state(lexicon, TextCache([tmp_path])) == fresh


def test_the_kept_faq_index_is_the_index_built_afresh_never_another_faqs_and_never_a_damaged_one(tmp_path):
    bot = PolicyBot.load()
    faq, matcher = bot.kb.faq, bot.matcher
    prepare = lambda t: matcher.normalize.clean(t).replace(" ", "")  # noqa: E731

    def state(faq, work, signature="sig"):
        return _faq_state(FaqIndex(faq, prepare, prepare, work, signature))

    fresh = state(faq, None)
    assert state(faq, TextCache([tmp_path])) == fresh == state(faq, TextCache([tmp_path]))
    [kept] = tmp_path.glob("faq-*.marshal")
    first = faq.entries[0]
    edited = FaqBase((replace(first, asks=(*first.asks, "见习期满了能留下吗")), *faq.entries[1:]))
    assert state(edited, TextCache([tmp_path])) == state(edited, None) != fresh     # an edited entry
    moved = FaqBase((replace(first, policy=faq.entries[-1].policy), *faq.entries[1:]))
    assert state(moved, TextCache([tmp_path])) == state(moved, None)                # another policy's entry
    assert state(faq, TextCache([tmp_path]), "other") == fresh and len(list(tmp_path.glob("faq-*"))) == 4
    data = marshal.loads(kept.read_bytes())
    for damaged in (kept.read_bytes()[:500], marshal.dumps(dict(data, norms=data["norms"][1:])),
                    marshal.dumps(dict(data, ptr=data["views"])), marshal.dumps({"grams": []})):
        kept.write_bytes(damaged)
        assert state(faq, TextCache([tmp_path])) == fresh


def test_the_kept_source_sentences_are_those_built_afresh_never_another_bases_nor_a_damaged_file(tmp_path):
    kb = PolicyBot.load().kb
    prepare = lambda t: t.replace(" ", "")  # noqa: E731

    def state(kb, work, signature="sig"):
        return _quotes_state(SourceQuotes(kb, prepare, work, signature))

    fresh = state(kb, None)
    assert state(kb, TextCache([tmp_path])) == fresh == state(kb, TextCache([tmp_path]))
    [kept] = tmp_path.glob("quotes-*.marshal")
    policy = next(iter(kb.policies.values()))
    noted = replace(kb, policies={**kb.policies, policy.id: replace(policy, notes=(*policy.notes, "见习期满留用的另有补贴。"))})
    assert state(noted, TextCache([tmp_path])) == state(noted, None) != fresh       # an edited record
    doc = next(iter(kb.sources.values()))
    edited = replace(kb, sources={**kb.sources, doc.key: replace(doc, text=doc.text + "\n新增一句话用来检验缓存。")})
    assert state(edited, TextCache([tmp_path])) == state(edited, None) != fresh     # an edited document
    data = marshal.loads(kept.read_bytes())
    for damaged in (kept.read_bytes()[:300], marshal.dumps(dict(data, of_policy={})), marshal.dumps([])):
        kept.write_bytes(damaged)
        assert state(kb, TextCache([tmp_path])) == fresh
