"""The conversation as a citizen meets it, through the one engine API: PolicyBot.handle()."""
from __future__ import annotations

from datetime import date

import pytest

from bot import PolicyBot, Reply

URUMQI_CHECK = ["我被公司裁员了，能领失业金吗？", "乌鲁木齐市"]


def test_engine_api_shape(loaded_bot):
    reply = loaded_bot.handle("api", "失业金一个月多少钱")
    assert isinstance(reply, Reply)
    assert isinstance(reply.text, str) and isinstance(reply.options, list) and isinstance(reply.sources, list)
    assert 0.0 <= reply.confidence <= 1.0 and isinstance(reply.state, str)
    assert PolicyBot.load.__defaults__ == (None, None, None, None)


def test_can_i_get_it_lists_the_conditions_at_once_and_offers_the_check(chat):
    answer = chat(*URUMQI_CHECK)[1]
    assert answer.state == "answered" and "核对申领条件" in answer.options
    assert "缴费满1年" in answer.text and "失业登记" in answer.text and "1530元/月" in answer.text
    assert "您说“被公司裁员”，这一条符合" in answer.text        # the story already answers condition 2


def test_eligible_path_ends_with_standard_source_and_district_phone(chat):
    replies = chat(*URUMQI_CHECK, "核对申领条件", "是", "已办理", "天山区")
    asking = replies[2]
    assert asking.state == "checking" and "（1/2）" in asking.text          # 被裁员 already answers one condition
    assert "被公司裁员" in asking.text
    verdict = replies[4]
    assert "您符合申领条件" in verdict.text and "1530元/月" in verdict.text
    assert "《乌鲁木齐市就业社保政策清单》三" in verdict.text
    assert verdict.state == "asking_district" and "天山区" in verdict.options
    assert replies[5].state == "answered"
    assert "天山区社保分中心" in replies[5].text and "0991-2337209" in replies[5].text


def test_a_story_that_contradicts_a_condition_never_gets_a_yes(chat):
    replies = chat("我在乌鲁木齐，失业保险才交了8个月就被裁员了，能领失业金吗", "核对申领条件", "已办理")
    assert "8个月" in replies[0].text and "不符合" in replies[0].text and "您符合" not in replies[0].text
    assert all("您符合申领条件" not in r.text for r in replies)
    assert "暂时不符合" in replies[-1].text


def test_conditions_are_asked_one_by_one_with_progress(chat):
    replies = chat("失业金怎么申请", "乌鲁木齐市", "核对申领条件")
    assert "（1/3）" in replies[2].text and replies[2].options == ["是", "否", "不清楚"]
    assert replies[2].policy == "urumqi.unemployment_benefit" and replies[2].intent == "unemployment_benefit"


def test_not_eligible_says_which_condition_and_what_to_do(chat):
    replies = chat(*URUMQI_CHECK, "核对申领条件", "是", "还没有")
    verdict = replies[-1]
    assert "暂时不符合" in verdict.text and "失业登记" in verdict.text and "怎么办" in verdict.text
    assert "不符合" in verdict.text and "办理地点电话" in verdict.options
    assert verdict.state == "answered"


def test_unknown_answer_gives_the_answer_with_a_caveat(chat):
    replies = chat(*URUMQI_CHECK, "核对申领条件", "不清楚", "已办理")
    verdict = replies[-1]
    assert "还不确定" in verdict.text and "1530元/月" in verdict.text


@pytest.mark.parametrize("yes", ["对", "是的", "嗯", "1", "１"])
def test_free_text_and_numbers_answer_buttons(chat, yes):
    replies = chat("失业金怎么申请", "乌鲁木齐市", "核对申领条件", yes)
    assert "（2/3）" in replies[-1].text


def test_amount_question_gets_the_amount_at_once_and_offers_the_check(chat):
    replies = chat("失业金一个月多少钱", "乌鲁木齐市")
    assert replies[0].state == "asking_region"
    assert replies[0].options == ["乌鲁木齐市", "新疆其他地州", "新疆兵团", "其他地区"]
    assert "1530元/月" in replies[1].text and "核对申领条件" in replies[1].options
    assert replies[1].sources and "乌鲁木齐市就业社保政策清单" in replies[1].sources[0]


def test_region_inferred_from_the_text(chat):
    reply = chat("我在天山区，失业金一个月多少钱")[0]
    assert "1530元/月" in reply.text and reply.state == "answered"


def test_region_is_remembered_for_the_next_topic(chat):
    replies = chat("失业金一个月多少钱", "乌鲁木齐市", "创业担保贷款能贷多少")
    assert replies[-1].policy == "urumqi.startup_loan" and "20万元" in replies[-1].text


def test_follow_up_refers_to_the_policy_under_discussion(chat):
    replies = chat("失业金一个月多少钱", "乌鲁木齐市", "那要带什么材料？")
    assert "社会保障卡或身份证" in replies[-1].text and replies[-1].policy == "urumqi.unemployment_benefit"


def test_district_phone_question_and_district_typed_as_alias(chat):
    replies = chat("失业金一个月多少钱", "乌鲁木齐市", "办理地点电话", "沙区")
    assert replies[2].state == "asking_district"
    assert all(len(option) <= 12 for option in replies[2].options)
    assert "0991-4533946" in replies[3].text


def test_each_policy_uses_its_own_office_table(chat):
    employer = chat("我们公司招人了，企业社保补贴怎么申请", "乌鲁木齐市", "办理地点电话", "经开区")
    intern = chat("见习补贴去哪里申请", "乌鲁木齐市", "办理地点电话", "经开区")
    assert "0991-3743164" in employer[-1].text
    assert "0991-3079164" in intern[-1].text


def test_ended_measure_says_so_first_with_its_end_date(chat):
    reply = chat("稳岗返还怎么申请", "新疆其他地州")[-1]
    first_line = reply.text.splitlines()[0]
    assert "已经结束" in first_line and "2023年12月31日" in first_line
    assert reply.state == "answered" and "核对申领条件" not in reply.options


def test_the_same_measure_is_current_before_its_end_date(chat):
    reply = chat("稳岗返还怎么申请", "新疆其他地州", today=date(2023, 9, 1))[-1]
    assert "已经结束" not in reply.text and "核对申领条件" in reply.options


def test_draft_is_called_a_draft(chat):
    reply = chat("兵团失业保险费率降到多少", today=date(2025, 3, 1))[-1]
    assert "征求意见稿" in reply.text.splitlines()[0] and "0.5%" in reply.text
    assert "已经结束" not in reply.text


def test_urumqi_rate_cut_ended_at_end_of_2024(chat):
    reply = chat("乌鲁木齐失业保险费率降低政策")[-1]
    assert "已经结束" in reply.text and "2024年底" in reply.text


def test_topic_only_in_other_regions_says_so(chat):
    replies = chat("我在兴安盟", "稳岗返还")
    assert "没有兴安盟" in replies[-1].text and "兴安盟" not in replies[-1].options


def test_clarification_between_close_topics(chat):
    reply = chat("一次性补贴")[0]
    assert reply.state == "clarifying" and reply.options[-1] == "都不是" and len(reply.options) == 3
    picked = chat("一次性补贴", "1")[-1]
    assert picked.intent in ("startup_subsidy", "hiring_subsidy", "hard_to_employ")


def test_out_of_scope_says_so_and_offers_a_human(chat):
    reply = chat("明天乌鲁木齐天气怎么样")[0]
    assert reply.intent is None and reply.state == "fallback"
    assert "不在我的资料范围内" in reply.text and "人工咨询电话" in reply.options
    assert "0991-4639654" in reply.text


def test_other_province_is_refused_by_name(chat):
    reply = chat("西安就业见习补贴多少")[0]
    assert reply.intent is None and "西安" in reply.text


def test_topic_switch_in_the_middle_of_a_check(chat):
    replies = chat(*URUMQI_CHECK, "创业担保贷款能贷多少")
    assert replies[-1].policy == "urumqi.startup_loan" and "20万元" in replies[-1].text


def test_reset_and_back(chat):
    replies = chat(*URUMQI_CHECK, "返回")
    assert replies[-1].state == "asking_region" and "乌鲁木齐市" in replies[-1].options
    replies = chat(*URUMQI_CHECK, "重新开始")
    assert replies[-1].state == "idle" and replies[-1].policy is None
    replies = chat(*URUMQI_CHECK, "/reset", "是")
    assert replies[-1].policy is None


def test_bad_answer_is_asked_again_then_the_contact_is_offered(chat):
    replies = chat(*URUMQI_CHECK, "核对申领条件", "香蕉苹果", "香蕉苹果")
    assert "没有看懂" in replies[-2].text and replies[-2].options == replies[2].options
    assert "还是没能看懂" in replies[-1].text and "重新开始" in replies[-1].options


@pytest.mark.parametrize("text", ["", "   ", "😂😂😂", "\x00\x1b[2J", "hello, can you help me?", "失" * 5000])
def test_bad_input_gets_a_polite_answer(chat, text):
    reply = chat(text)[0]
    assert reply.text and reply.state in ("idle", "fallback", "answered", "asking_region", "clarifying")


def test_english_gets_a_note_in_english(chat):
    assert "Chinese" in chat("what is the weather today")[0].text


def test_traditional_chinese_question(chat):
    reply = chat("我在烏魯木齊，失業金一個月多少錢")[0]
    assert "1530元/月" in reply.text


def test_start_greets_and_offers_regions(chat):
    reply = chat("/start")[0]
    assert reply.state == "asking_region" and "兴安盟" in reply.options
    reply = chat("/start", "兴安盟", "见习补贴有多少")[-1]
    assert reply.policy == "xinganmeng.internship"


def test_thanks_and_human(chat):
    assert "不客气" in chat("谢谢")[0].text
    reply = chat("失业金一个月多少钱", "乌鲁木齐市", "转人工")[-1]
    assert reply.state == "asking_district"


def test_every_question_offers_short_buttons(loaded_bot, new_bot):
    """Walk every policy to its check; every button of every question fits on a phone."""
    for policy in loaded_bot.kb.policies.values():
        for cond in policy.conditions:
            assert all(len(option) <= 12 for option in cond.options), policy.id
    for topic in loaded_bot.kb.topics.values():
        bot = new_bot()
        reply = bot.handle("walk", topic.name)
        assert all(len(o) <= 12 for o in reply.options), (topic.id, reply.options)


def test_every_policy_can_be_walked_to_an_answer(loaded_bot, new_bot):
    """For each policy: pick its topic, region and (if needed) the policy; answer 'pass' to everything."""
    kb = loaded_bot.kb
    for policy in kb.policies.values():
        bot = new_bot()
        reply = bot.handle("w", kb.topics[policy.topic].name)
        for _ in range(12):
            labels = reply.options
            if reply.policy == policy.id and reply.state in ("answered", "asking_district"):
                break
            if reply.state == "asking_region":
                short = kb.regions[policy.region].short
                reply = bot.handle("w", short)
            elif reply.state == "choosing_policy":
                index = [a for _, a in bot.store.get("w")["pending"]].index(f"policy:{policy.id}")
                reply = bot.handle("w", labels[index])
            elif reply.state == "checking":
                cond = policy.conditions[int(bot.store.get("w")["pending"][0][1].split(":")[1]) - 1]
                reply = bot.handle("w", cond.passing[0])
            elif reply.state == "answered" and reply.policy != policy.id:
                assert "同类其他政策" in labels, (policy.id, labels)
                reply = bot.handle("w", "同类其他政策")
            else:
                break
        assert reply.policy == policy.id, (policy.id, reply.state, reply.text[:80])
        assert policy.title in reply.text or reply.state == "asking_district"
