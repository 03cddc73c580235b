"""The planner's parts on their own: figures in stories, question sentences, FAQ lookups, naming a measure."""
from __future__ import annotations

import pytest

from bot.answers.sentences import question_sentences
from bot.answers.story import Subject, Verdict, headcount_fits, judge, story_quantities


@pytest.mark.parametrize("text, subject, value", [
    ("失业保险交了8个月就被裁了", Subject.CONTRIBUTION, 8),
    ("我在乌鲁木齐住了半年", Subject.RESIDENCE, 6),
    ("本科毕业干了4年技术", Subject.WORK, 48),
    ("公司一共25个人", Subject.HEADCOUNT, 25),
    ("30人以下的企业裁员率不能超过多少", Subject.HEADCOUNT, 30),
    ("我才住了两个月", Subject.RESIDENCE, 2),
    ("去年裁了6个人", Subject.LAID_OFF, 6),
    ("我今年23岁", Subject.AGE, 23),
])
def test_story_figures_are_read_with_what_they_measure(text, subject, value):
    assert (subject, value) in {(q.subject, q.value) for q in story_quantities(text)}


@pytest.mark.parametrize("text", ["失业金一个月多少钱", "贷款期限3年吗", "离校2年内的毕业生", "2023年的政策"])
def test_rates_limits_and_dates_are_not_story_figures(text):
    assert story_quantities(text) == []


def test_contributions_short_of_a_year_fail_the_condition(loaded_bot):
    policy = loaded_bot.kb.policies["urumqi.unemployment_benefit"]
    findings = judge(policy.conditions, story_quantities("失业保险才交了8个月"))
    assert [(f.condition, f.verdict) for f in findings] == [(1, Verdict.FAILED)]
    assert "8个月" in findings[0].explanation and "满1年" in findings[0].explanation


def test_small_firm_layoff_rate_uses_the_small_firm_limit(loaded_bot):
    policy = loaded_bot.kb.policies["bingtuan.job_retention_refund"]
    failed = judge(policy.conditions, story_quantities("我们公司一共25个人，去年裁了6个人"))
    kept = judge(policy.conditions, story_quantities("我们公司一共25个人，去年裁了2个人"))
    assert [f.verdict for f in failed] == [Verdict.FAILED] and "20%" in failed[0].explanation
    assert [f.verdict for f in kept] == [Verdict.MET]


@pytest.mark.parametrize("story, verdict", [
    ("我们小微企业现有员工40人，今年招了4个退役军人", Verdict.FAILED),    # 10 % < 15 %
    ("我们小微企业现有员工40人，今年新招了6个人", Verdict.MET),          # 15 %
    ("公司一共200人，今年招了10个人", Verdict.FAILED),                     # over 100 staff: 5 % < 8 %
    ("公司一共200人，今年招了20个人", Verdict.MET),                        # 10 % ≥ 8 %
])
def test_new_hires_are_held_against_the_share_of_the_staff(loaded_bot, story, verdict):
    policy = loaded_bot.kb.policies["xinganmeng.startup_loan"]
    findings = [f for f in judge(policy.conditions, story_quantities(story)) if "新招人数" in f.explanation]
    assert [f.verdict for f in findings] == [verdict]


def test_alternatives_fail_only_when_every_alternative_fails(loaded_bot):
    conditions = loaded_bot.kb.policies["urumqi.internship"].conditions
    assert judge(conditions, story_quantities("我30岁，毕业1年")) == []
    assert [f.verdict for f in judge(conditions, story_quantities("我30岁，毕业3年了"))] == [Verdict.FAILED]


def test_the_question_is_found_first_or_last_in_a_long_story():
    story = "我是去年毕业的，学会计，户口在科右前旗，一直在家复习考公务员，中间帮亲戚看了几个月店。"
    assert "见习补贴" in question_sentences("请问见习补贴按什么标准发？" + story * 3)
    assert "咨询电话" in question_sentences(story * 3 + "我们旗里的咨询电话是多少？")
    assert question_sentences("失业金多少钱") is None


@pytest.mark.parametrize("question, policy, entry_words", [
    ("兴安盟个人创业担保贷款最多贷多少", "xinganmeng.startup_loan", "20万元"),
    ("自治区2023年西部计划招多少人", "xinjiang2023.graduate_grassroots", "西部计划"),
])
def test_a_detail_question_finds_its_faq_clause(loaded_bot, question, policy, entry_words):
    planner = loaded_bot.dialog.planner
    hit = planner.index.best([policy], question, planner.cues.asked(question).details)
    assert hit is not None and entry_words in hit.entry.answer


def test_a_year_names_the_measure_of_that_years_document(loaded_bot):
    planner = loaded_bot.dialog.planner
    chosen = planner.chooser.pick("personal_si_subsidy", "乌鲁木齐市", loaded_bot.today(),
                                  planner.prepare("2020年那个灵活就业社保补贴"))
    assert chosen is not None and chosen.source == "002"


def test_story_years_no_condition_counts_are_shown_against_the_standards_years(loaded_bot):
    """The condition says only 满规定年限: the clause of the standard that sets the years is quoted."""
    reply = loaded_bot.handle("story-years", "我在乌鲁木齐一家民营软件公司，本科毕业干技术3年了，还没有初级职称，想直接报中级评审行不行")
    assert "大学本科毕业学历从事专业技术工作5年以上" in reply.text
    assert "您符合申领条件" not in reply.text


@pytest.mark.parametrize("text, record, details, not_asked", [
    ("能领多少个月失业金", None, "duration", None),              # 多少个月 is a duration, its 多少 no amount
    ("一次性创业补贴要什么条件", "eligibility", "condition", "materials"),   # 要什么条件 asks no materials
    ("补贴咋申请", "process", None, None),                       # one cue of two aspects asks both
])
def test_a_cue_inside_a_longer_cue_does_not_ask_as_well(loaded_bot, text, record, details, not_asked):
    asked = loaded_bot.dialog.planner.cues.asked(loaded_bot.matcher.normalize(text).text)
    kinds = {k.value for k in asked.details}
    assert record is None or record in asked.record
    assert details is None or details in kinds
    assert not_asked is None or (not_asked not in kinds and not_asked not in asked.record)
    if text == "补贴咋申请":
        assert "eligibility" in asked.record
    if text == "能领多少个月失业金":
        assert "amount" not in kinds


def test_every_asking_sentence_of_a_story_is_kept_even_a_last_one_without_a_question_mark():
    story = "我们是沙区一家小餐饮公司，二十来个人，今年新招了5个服务员，都签了两年的合同，社保也按规定交了。"
    asked = question_sentences(story + "能申请企业社保补贴吗？能补多少")
    assert "能申请企业社保补贴吗" in asked and "能补多少" in asked
    three = question_sentences(story + "请问展期最长多久？展期期间还有贴息吗？这个政策现在还能用吗？")
    assert "还有贴息吗" in three and "展期最长多久" in three and "现在还能用吗" in three


def test_a_story_without_punctuation_is_read_by_its_spaces():
    """Typed (or dictated) with spaces for punctuation: the run of questions is found, the story left aside."""
    story = ("我们是沙区一家做软件的公司 有独立法人 合同都签了社保也都正常交 想招几个今年毕业的大学生来见习 "
             "见习期一般多长时间 见习生活补助我们至少得发多少 去沙区哪办 电话多少")
    asked = question_sentences(story)
    assert "见习期一般多长时间" in asked and "至少得发多少" in asked and "电话多少" in asked
    assert "有独立法人" not in asked


def test_a_story_without_punctuation_is_answered_not_sent_to_a_person(chat):
    [reply] = chat("我爸今年五十二了在米东区一个水泥厂干了十几年 厂子去年底就不行了上个月把他们一批老工人全给辞退了 "
                   "失业保险厂里一直给交着的 他已经在社区登记了失业 想问问他这个失业金一个月能给多少钱 去米东哪里办 电话多少")
    assert "1530元/月" in reply.text and "0991-3305028" in reply.text


def test_a_story_answer_holds_the_figure_asked_in_its_last_short_question(chat):
    [reply] = chat("我们是沙区一家小餐饮公司，二十来个人，今年新招了5个服务员，都签了两年的合同，社保也按规定交了。"
                   "能申请企业社保补贴吗？能补多少")
    assert "享受标准" in reply.text and "全额补贴" in reply.text


def test_a_firm_about_twenty_strong_gets_the_small_firm_clause():
    assert [(q.subject, q.value) for q in story_quantities("我们就20来个人")] == [(Subject.HEADCOUNT, 20.0)]
    assert headcount_fits("30人（含）以下的参保企业裁员率不高于参保职工总数20%的", 20)
    assert not headcount_fits("30人（含）以下的参保企业裁员率不高于参保职工总数20%的", 45)
    assert headcount_fits("职工超过100人的比例下调为8%", 120) and not headcount_fits("职工超过100人的", 80)


def test_the_small_firm_layoff_limit_is_quoted_for_a_small_firm(chat):
    [reply] = chat("新疆稳岗返还大型企业返多少？我们就20来个人，裁员率不超过多少才能申请")
    assert "30%" in reply.text and "参保职工总数20%" in reply.text
    [reply] = chat("新疆稳岗返还大型企业返多少？我们公司300多个人，裁员率不超过多少才能申请")
    assert "参保职工总数20%" not in reply.text


def test_a_contract_shorter_than_a_year_fails_the_contract_condition(chat):
    assert [(q.subject, q.value) for q in story_quantities("学徒只签了半年的合同")] == [(Subject.CONTRACT, 6.0)]
    [reply] = chat("兴安盟我们公司让新招的几个学徒参加新型学徒制，但学徒只签了半年的合同，企业能申请学徒制补贴吗")
    assert "1年以上" in reply.text and "这一条不符合" in reply.text and "您符合申领条件" not in reply.text
    # 乌鲁木齐's record has the figure only among the documents to bring: that line is quoted with the story's
    [reply] = chat("我们是乌鲁木齐一家机械厂，想给新招的学徒搞企业新型学徒制培训，他们签的都是8个月的合同，能申请培训补贴吗")
    assert "签订1年以上劳动合同复印件（您说“8个月”）" in reply.text


def test_months_out_of_work_pick_the_clause_they_meet(chat):
    assert [(q.subject, q.value) for q in story_quantities("登记失业一年多了")] == [(Subject.UNEMPLOYED, 12.0)]
    assert [q.subject for q in story_quantities("交失业保险3年了")] == [Subject.CONTRIBUTION]
    [reply] = chat("我男的51岁，在哈密登记失业一年多了，一直没找着活，这算不算就业困难人员")
    assert "连续失业一年以上的城镇登记失业人员" in reply.text


def test_a_year_of_graduation_counts_from_today():
    from datetime import date
    from bot.answers.story import graduated_in
    assert [q.value for q in graduated_in("我2022年大学毕业", date(2026, 11, 25))] == [52.0]
    assert [q.value for q in graduated_in("我2025年毕业", date(2026, 11, 25))] == [16.0]
    assert graduated_in("2023年招了一个2022年毕业的大学生", date(2026, 11, 25)) == []   # a hire's: from hiring


def test_graduating_four_years_ago_fails_within_two_years_of_leaving_school(chat):
    [reply] = chat("我2022年大学毕业，毕业后一直灵活就业，自己交社保，在乌兰浩特。现在还能申请高校毕业生社保补贴吗")
    assert "2022年大学毕业" in reply.text and "这一条不符合" in reply.text and "您符合申领条件" not in reply.text


def test_an_age_a_clause_starts_from_quotes_that_clause(chat):
    [reply] = chat("女，47岁，在阿克苏登记失业了，家里困难，听说有就业困难人员认定，我年龄够吗")
    assert "女满45周岁" in reply.text


def test_chatty_words_do_not_dilute_what_a_question_asks():
    """"是不是要我们自己去社保那边申请啊": 我们 / 那边 / 啊 carry no detail; the word pairs between them do."""
    from bot.answers.faq_index import asked_bigrams
    plain = asked_bigrams("是不是要我们去社保那边申请啊")
    assert "申请" in plain and "社保" in plain
    assert not plain & {"我们", "那边", "是不", "请啊", "们去"}


def test_a_story_figure_short_of_every_threshold_of_a_clause_is_said_so():
    """"本科…干了4年" against "5年以上；或…累计满7年以上": short of both, so the reply says so; 6 years against
    "满5年或…满8年" meets one of them and is not called short."""
    from bot.answers.story import falls_short, story_quantities
    four = story_quantities("本科毕业 干了4年了")
    short = falls_short("①大学本科毕业学历从事专业技术工作5年以上；或参加工作后取得本科学历，前后从事专业技术工作年限累计满7年以上的", four)
    assert [(q.said, t.said) for q, t in short] == [("4年", "5年以上")]
    six = story_quantities("干了6年能直接评中级吗")
    assert six and six[0].value == 72
    assert falls_short("大学本科毕业且从事专业技术工作满5年或大学专科毕业且从事专业技术工作满8年", six) == []


def test_half_a_year_counts():
    from bot.answers.story import story_quantities
    assert [q.value for q in story_quantities("在厂里干了一年半了")] == [18.0]
