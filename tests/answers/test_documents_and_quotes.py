"""A document named by 文号 or year narrows the search; a source sentence is quoted only when it plainly
holds what was asked."""
from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def planner(loaded_bot):
    return loaded_bot.dialog.planner


@pytest.mark.parametrize("text", ["新政发〔2020〕16号对低保对象有什么措施", "新政发[2020]16号里低保怎么办",
                                  "按16号文，低保对象找到工作后怎么办"])
def test_a_doc_number_names_its_document_however_it_is_written(planner, text):
    named = planner.documents.read(planner.prepare(text))
    assert named.keys == ("002",)
    assert "16号" not in named.rest


def test_a_year_narrows_by_year_and_its_words_are_not_held_against_the_faq(planner):
    named = planner.documents.read(planner.prepare("按新疆2023年稳就业通知，个体工商户能享受吗"))
    assert named.keys == () and named.year
    assert "通知" not in named.rest and "个体工商户" in named.rest


def test_no_document_named_leaves_the_question_as_it_is(planner):
    text = planner.prepare("失业金一个月多少钱")
    named = planner.documents.read(text)
    assert not named.any and named.rest == text


def test_a_sentence_that_holds_the_question_is_quoted_word_for_word(planner, loaded_bot):
    quote = planner.quote(loaded_bot.matcher.normalize("2020年新疆稳外贸的措施里，出口退税正常多少天能办完").text, None)
    assert quote is not None and quote.sentence.source == "002"
    assert "10个工作日" in quote.sentence.text
    assert quote.sentence.text.replace(" ", "") in loaded_bot.kb.sources["002"].text.replace(" ", "")


@pytest.mark.parametrize("text", ["怎么打印社保缴费明细", "养老保险个人账户的钱能继承吗", "明天天气怎么样"])
def test_words_spread_over_unrelated_sentences_are_not_quoted(planner, loaded_bot, text):
    assert planner.quote(loaded_bot.matcher.normalize(text).text, None) is None
