"""The numbers that shape how the bot feels, in one place, each with the reason it has its value.

Change one here and run the scripted dialogs (`policybot test`): most of them are pinned by a dialog.
"""
from __future__ import annotations

# ---- how much the bot offers at once ------------------------------------------------------------
# Topic buttons after a greeting, a restart or "其他问题": six fit on one phone screen without scrolling.
TOPIC_BUTTONS = 6
# Topic buttons once the person named their region or asked something vague: the list is already
# narrowed by region or by word, so a slightly longer list still reads at a glance.
TOPIC_BUTTONS_NARROWED = 8
# Policies listed for "which one?" (current ones first, then ended ones up to this count).
POLICY_CHOICES = 5
# "同类其他政策": every other policy of the topic, at most this many buttons.
RELATED_CHOICES = 6
# Other policies named in one line under an answer ("另有…"); more would bury the answer.
RELATED_NAMED = 2
# Policies named as served by one office ("办理「…」等").
OFFICE_TITLES_NAMED = 3

# ---- reading a typed answer as a button press (choices.py) ---------------------------------------
# A yes/no answer longer than this is a sentence, not "对" / "没有" / "不清楚".
YES_NO_MAX_CHARS = 12
# Only messages up to this length may be a label typed inside a sentence or a near spelling.
CHOICE_SENTENCE_MAX_CHARS = 16
# A label found inside the message counts only when at most this many other characters surround it:
# "选天山区吧" presses 天山区, "西安就业见习补贴多少" is a new question.
CHOICE_EXTRA_CHARS = 3
# RapidFuzz ratio (0–100) for a near spelling ("天山去" → 天山区), and how far ahead of the second-best
# label it must be, so that a typo never picks between two similar labels by chance.
FUZZY_MIN_RATIO = 80
FUZZY_MIN_LEAD = 10

# ---- memory ----------------------------------------------------------------------------------------
# How many steps 返回 can go back; longer conversations rarely go back further, and it bounds the session.
MAX_HISTORY = 12
# A bad answer is asked again once; the second time the bot also offers a phone number.
RETRIES_BEFORE_CONTACT = 1
# two close topics: the question's word pairs that only one topic's name and description hold decide, when
# they are at least this many and this many more than the other's (chosen on tests/answers/dev*.yaml)
DESCRIBED_MIN = 2
NAMED_TOPIC_CHARS = 4  # a topic name this long, written out, names the topic ("稳岗返还", "就业见习")
