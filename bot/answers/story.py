"""Numbers in a person's story, held against the numbers in a policy's conditions.

"公司25个人，去年裁了6个" and "缴费满1年": a story's figures answer conditions. The rule here is one-sided
on purpose: a figure that contradicts a threshold is reported as a failed condition (never a "符合" the
story contradicts); a figure that meets it marks the condition as met; anything unclear stays a question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from ..knowledge.model import Condition

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10, "半": 0.5}
_NUMBER = r"(\d+(?:\.\d+)?|[一二两俩三四五六七八九十半]{1,3})"


def to_number(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text == "半":
        return 0.5
    if "十" in text:
        tens, _, ones = text.partition("十")
        return float((_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0))
    if len(text) == 1 and text in _CN_DIGITS:
        return float(_CN_DIGITS[text])
    return None


class Subject(str, Enum):
    CONTRIBUTION = "缴费"      # 缴费年限 / 参保时间
    WORK = "工作年限"
    RESIDENCE = "居住时间"
    BUSINESS = "经营时间"
    AGE = "年龄"
    HEADCOUNT = "职工人数"
    LAID_OFF = "裁员人数"
    HIRED = "新招人数"
    GRADUATED = "离校时间"
    CONTRACT = "合同期限"
    UNEMPLOYED = "失业时间"


# words that, just before a figure, say what it measures (checked nearest first)
_SUBJECT_WORDS: tuple[tuple[Subject, tuple[str, ...]], ...] = (
    (Subject.LAID_OFF, ("裁员", "裁了", "裁掉", "辞退", "减员", "裁")),
    (Subject.HIRED, ("新招", "招了", "招用", "招收", "吸纳", "招聘了", "雇了")),
    (Subject.CONTRIBUTION, ("缴费", "缴纳", "交了", "缴了", "参保", "交社保", "参加", "交够", "交满", "交")),
    (Subject.RESIDENCE, ("居住", "住了", "来了", "住")),
    (Subject.BUSINESS, ("经营", "开了", "开业", "营业", "开店", "成立")),
    (Subject.GRADUATED, ("毕业", "离校")),
    (Subject.CONTRACT, ("签订", "签了", "签的", "签")),
    # not 失业 alone: "交失业保险3年" is years of contributions
    (Subject.UNEMPLOYED, ("登记失业", "连续失业", "失业了", "失业已经", "失业有", "没工作", "待业")),
    (Subject.WORK, ("工作", "干了", "上班", "从事", "任职", "技术岗位", "干技术", "做技术", "搞技术", "干这行")),
    (Subject.HEADCOUNT, ("职工", "员工", "公司", "企业", "单位", "一共", "总共", "共有", "我们就", "我们")),
)


@dataclass(frozen=True)
class Quantity:
    subject: Subject
    value: float          # months for durations, people for counts, years of age
    said: str             # the words it came from, to quote back


def _duration_months(value: float, unit: str) -> float:
    return value * 12 if unit == "年" else value


def _subject_before(text: str, end: int, default: Subject | None) -> Subject | None:
    window = text[max(0, end - 8):end]
    best: tuple[int, Subject] | None = None
    for subject, words in _SUBJECT_WORDS:
        for word in words:
            at = window.rfind(word)
            if at >= 0 and (best is None or at > best[0]):
                best = (at, subject)
    return best[1] if best else default


GRADUATION_MONTH = 7   # "2022年毕业": school years end in summer
# the speaker's own graduation ("我2022年大学毕业"), not a hire's ("招了一个2022年毕业的"): that one counts
# from the day of hiring, which the story may not say
_GRADUATED_IN = re.compile(r"(?:我|本人|俺)[^，。；！？]{0,4}?(20\d\d)年(?:的)?(?:大学|本科|大专|专科|研究生|硕士|博士|中专|高校)?毕业")


def graduated_in(text: str, today: date) -> list[Quantity]:
    """"我2022年大学毕业": months since leaving school, as of today (the story is heard on that day)."""
    found = []
    for m in _GRADUATED_IN.finditer(text.replace(" ", "")):
        months = (today.year - int(m.group(1))) * 12 + today.month - GRADUATION_MONTH
        if months >= 0:
            found.append(Quantity(Subject.GRADUATED, float(months), m.group()[m.start(1) - m.start():]))
    return found[:1]


_UP_TO_FIRM = re.compile(r"(?:\(含\)|（含）)?(?:以下|以内)的?小?(?:企业|公司|单位|厂)")   # "30人以下的企业"


def story_quantities(text: str, today: date | None = None) -> list[Quantity]:
    """Durations, ages and head counts stated in a story, each with what it measures (`today`: a year of
    graduation also says how long ago one left school)."""
    text = text.replace(" ", "")
    found: list[Quantity] = graduated_in(text, today) if today else []
    for m in re.finditer(_NUMBER + r"(?:多|来)?(个月|年|岁|周岁|个人|名|人|个)", text):
        value = to_number(m.group(1))
        unit = m.group(2)
        if value is None:
            continue
        if unit in ("岁", "周岁"):
            found.append(Quantity(Subject.AGE, value, m.group()))
            continue
        after = text[m.end():m.end() + 4]
        if unit in ("个月", "年"):
            # "一个月多少钱", "3年内", "2023年": a rate, a limit or a date, not something that happened
            # … but "干了6年能直接评中级吗": what happened ("…了6年") stays a fact whatever follows
            happened = text[max(0, m.start() - 1):m.start()] == "了"
            if re.match(r"(?:内|前|底|初|度|级|多少|能|发|给|补|的标准|最多|最高)", after) and not happened or \
                    re.match(r"\d{4}年", m.group()) or text[max(0, m.start() - 1):m.start()] in ("每", "近"):
                continue
            subject = _subject_before(text, m.start(), None) or (Subject.GRADUATED if after.startswith("毕业") else None)
            if subject and subject not in _COUNTS:
                half = after.startswith("半")   # "一年半", "两年半": six months more
                found.append(Quantity(subject, _duration_months(value, unit) + (6 if half and unit == "年" else 0),
                                      m.group() + ("半" if half else "")))
            continue
        subject = _subject_before(text, m.start(), None)
        if after.startswith(("的公司", "的企业", "的单位", "的小公司")) or subject is Subject.CONTRIBUTION \
                or _UP_TO_FIRM.match(text, m.end()):
            subject = Subject.HEADCOUNT   # "参保的25个人": the insured staff; "30人以下的企业": a firm that size
        if subject in _COUNTS:
            found.append(Quantity(subject, value, m.group()))
    return found


_COUNTS = (Subject.HEADCOUNT, Subject.LAID_OFF, Subject.HIRED)


@dataclass(frozen=True)
class Threshold:
    subject: Subject
    low: float | None      # at least (months / people / years of age)
    high: float | None     # at most
    said: str


def condition_thresholds(condition: Condition) -> list[Threshold]:
    """The figures a condition sets: 缴费满1年, 连续居住6个月以上, 16至24岁, 不超过15年."""
    return text_thresholds(condition.ask + "，" + condition.fail)


def text_thresholds(text: str) -> list[Threshold]:
    """The thresholds a text sets (a condition, or a clause of a measure's standard)."""
    text = text.replace(" ", "")
    out: list[Threshold] = []
    for m in re.finditer(r"(\d+)\s*(?:至|-|—|到|~)\s*(\d+)(?:周岁|岁)", text):
        out.append(Threshold(Subject.AGE, float(m.group(1)), float(m.group(2)), m.group()))
    for m in re.finditer(r"(满|不少于|不低于|至少)?" + _NUMBER + r"(个月|年)(以上|及以上)?", text):
        value = to_number(m.group(2))
        if not (m.group(1) or m.group(4)) or value is None:
            continue
        subject = _subject_before(text, m.start(), None)
        if subject in (Subject.CONTRIBUTION, Subject.RESIDENCE, Subject.BUSINESS, Subject.WORK, Subject.CONTRACT,
                       Subject.UNEMPLOYED):
            out.append(Threshold(subject, _duration_months(value, m.group(3)), None, m.group()))
    for m in re.finditer(r"(\d+)年(以内|内)", text):
        if "离校" in text[max(0, m.start() - 4):m.start()] or "毕业" in text[max(0, m.start() - 4):m.start()]:
            out.append(Threshold(Subject.GRADUATED, None, float(m.group(1)) * 12, m.group()))
    for m in re.finditer(r"(?:不超过|不高于)(\d+)年", text):
        subject = _subject_before(text, m.start(), None)
        if subject is Subject.CONTRIBUTION:
            out.append(Threshold(subject, None, float(m.group(1)) * 12, m.group()))
    return out


def meets_threshold(text: str, story: tuple[Quantity, ...] | list[Quantity]) -> bool:
    """The text sets a figure the story's own meets ("连续失业一年以上的城镇登记失业人员" for "登记失业一年多",
    "30人（含）以下的参保企业…" for a firm of 20)."""
    said = {q.subject: q.value for q in story}
    if Subject.HEADCOUNT in said and headcount_fits(text, said[Subject.HEADCOUNT]):
        return True
    # "女满45周岁、男满55周岁": ages a clause starts from (for quoting a clause only — as a condition the sexes
    # would need telling apart)
    ages = [Threshold(Subject.AGE, float(n), None, n) for n in re.findall(r"满(\d+)周岁", text.replace(" ", ""))]
    return any(t.subject in said and (t.low is None or said[t.subject] >= t.low)
               and (t.high is None or said[t.subject] <= t.high) for t in (*text_thresholds(text), *ages))


def falls_short(text: str, story: tuple[Quantity, ...] | list[Quantity]) -> list[tuple[Quantity, Threshold]]:
    """The story's figures a clause asks more of ("干了4年" against "从事专业技术工作5年以上；或…累计满7年以上"):
    a figure counts as short only when it meets none of the clause's thresholds for what it measures."""
    said = {q.subject: q for q in story}
    by_subject: dict[Subject, list[Threshold]] = {}
    for t in text_thresholds(text):
        if t.subject in said and t.low is not None and t.high is None:
            by_subject.setdefault(t.subject, []).append(t)
    return [(said[subject], ts[0]) for subject, ts in by_subject.items()
            if all(said[subject].value < t.low for t in ts if t.low is not None)]


def headcount_fits(text: str, headcount: float) -> bool:
    """The text sets a head count the story's fits: "30人（含）以下的参保企业…" for a firm of 20,
    "职工超过100人的…" for one of 120."""
    text = text.replace(" ", "")
    at_most = [float(n) for n in re.findall(r"(\d+)人(?:（含）)?以下", text)]
    above = [float(n) for n in re.findall(r"(?:超过|多于)(\d+)人", text)]
    return any(headcount <= n for n in at_most) or any(headcount > n for n in above)


def layoff_limits(condition: Condition) -> tuple[str | None, str | None]:
    """The general and the small-firm limit as printed: "裁员率不高于5.5%", "30人（含）以下企业不高于20%"."""
    text = condition.ask.replace(" ", "")
    if "裁员率" not in text:
        return None, None
    general = re.search(r"裁员率不高于(\d+(?:\.\d+)?)%", text)
    small = re.search(r"(\d+)人（含）以下企业不高于(?:参保职工总数)?(\d+(?:\.\d+)?)%", text)
    return (general.group() if general else None, small.group() if small else None)


class Verdict(str, Enum):
    MET = "met"
    FAILED = "failed"


@dataclass(frozen=True)
class StoryFinding:
    condition: int            # 1-based number of the condition
    verdict: Verdict
    explanation: str          # "您说缴费8个月，而条件是缴费满1年"


def judge(conditions: tuple[Condition, ...], story: list[Quantity]) -> list[StoryFinding]:
    """Each condition whose figures the story speaks to, met or failed, with the reason in words."""
    findings = []
    by_subject = {q.subject: q for q in story}
    for number, cond in enumerate(conditions, 1):
        finding = _judge_layoffs(number, cond, by_subject) or _judge_hiring(number, cond, by_subject) \
            or _judge_thresholds(number, cond, by_subject)
        if finding:
            findings.append(finding)
    return findings


def _judge_thresholds(number: int, cond: Condition, said: dict[Subject, Quantity]) -> StoryFinding | None:
    thresholds = list({(t.subject, t.said): t for t in condition_thresholds(cond)}.values())
    if not thresholds:
        return None
    if "①" in cond.ask:
        return None  # "您符合哪种情形？①…②…": routes with different rules, not one threshold to compare
    # "属于以下人员之一": the figures are alternatives; one failed figure decides nothing
    alternatives = "之一" in cond.ask or "或" in cond.ask or len({t.subject for t in thresholds}) < len(thresholds)
    results = []
    for t in thresholds:
        q = said.get(t.subject)
        if q is not None:
            ok = (t.low is None or q.value >= t.low) and (t.high is None or q.value <= t.high)
            results.append((ok, f"您说“{q.said}”，条件是“{t.said}”"))
    if not results:
        return None
    failed = [why for ok, why in results if not ok]
    if alternatives:
        if len(failed) == len(thresholds):
            return StoryFinding(number, Verdict.FAILED, "；".join(failed))
        return None
    if failed:
        return StoryFinding(number, Verdict.FAILED, "；".join(failed))
    if len(results) == len(thresholds):
        return StoryFinding(number, Verdict.MET, "；".join(why for _, why in results))
    return None


def _judge_layoffs(number: int, cond: Condition, said: dict[Subject, Quantity]) -> StoryFinding | None:
    general, small = layoff_limits(cond)
    staff, cut = said.get(Subject.HEADCOUNT), said.get(Subject.LAID_OFF)
    if not (general or small) or not staff or not cut or staff.value <= 0:
        return None
    limit = general
    if small:
        size = float(re.match(r"\d+", small).group())
        limit = small if staff.value <= size else general
    if limit is None:
        return None
    percent = float(re.search(r"(\d+(?:\.\d+)?)%", limit).group(1))
    over = cut.value / staff.value * 100 > percent
    words = f"您说“{staff.said}”“{cut.said}”，裁员比例{'超过' if over else '没有超过'}“{limit}”"
    return StoryFinding(number, Verdict.FAILED if over else Verdict.MET, words)


_HIRING_SHARE = re.compile(r"职工人数(\d+(?:\.\d+)?)%(?:（超过(\d+)人的企业达到(\d+(?:\.\d+)?)%）)?")


def _judge_hiring(number: int, cond: Condition, said: dict[Subject, Quantity]) -> StoryFinding | None:
    """"现有员工40人，今年招了4个": new hires against the share of the staff a condition requires
    ("达到企业现有在职职工人数15%（超过100人的企业达到8%）")."""
    limit = _HIRING_SHARE.search((cond.ask + "，" + cond.fail).replace(" ", ""))
    staff, hired = said.get(Subject.HEADCOUNT), said.get(Subject.HIRED)
    if not limit or not staff or not hired or staff.value <= 0:
        return None
    big = bool(limit.group(2)) and staff.value > float(limit.group(2))
    printed = limit.group(3) if big else limit.group(1)      # the share as the source prints it
    short = hired.value / staff.value * 100 < float(printed)
    words = f"您说“{staff.said}”“{hired.said}”，新招人数{'不到' if short else '达到了'}现有职工人数的{printed}%"
    return StoryFinding(number, Verdict.FAILED if short else Verdict.MET, words)
