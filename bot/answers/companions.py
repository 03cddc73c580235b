"""The other measures one message asks about: another region or year compared, a second topic in another
part, another measure of the topic named by a part that leans on the one before ("高校毕业生的呢")."""
from __future__ import annotations

import itertools
import re
from datetime import date
from typing import TYPE_CHECKING, Iterable

from ..knowledge.model import KnowledgeBase, Policy
from .choose import YEAR, PolicyChooser
from .cues import split_parts
from .faq_index import bigrams
from .sentences import asks_something

if TYPE_CHECKING:
    from .lookup import TextReader
    from .planner import Question

MAX_PARTS = 3          # parts of one message looked at for a second topic
MAX_COMPANIONS = 2     # measures answered beside the main one (another region, another topic)
USUAL_PART_SHARED = 2   # title word pairs a part must hold to be asking about the measure the message named
SECOND_TOPIC_MIN = 0.45  # a part must match a second topic this well to be answered too
COMPARE_WORDS = ("区别", "不同", "不一样", "同一个", "相同", "一回事", "差多少", "差几", "相差", "差别", "差异", "对比",
                 "比较", "相比", "比一比", "比比", "比一下", "一样吗", "变了", "变没变", "有没有变", "变化")
_COMPARE = re.compile("|".join(COMPARE_WORDS) + r"|哪(?:一)?个(?:.{0,2}?(?:更|多|好|高|划算|合适)|.{0,2}$)")
EACH_WORDS = ("各", "分别", "各自", "这两", "两项", "这俩", "两个都", "两者")
_EACH = re.compile("|".join(EACH_WORDS))   # "各是多少", "这两项还有吗": asked of each side
_BETWEEN = re.compile(r"和|与|跟|同|还是|对比|比")   # what stands between the two sides compared


def region_of_year(kb: KnowledgeBase, chooser: PolicyChooser, topic: str, prepared: str) -> str | None:
    """"2020年的稳岗返还…": words naming only a year mean the one region with that year's measure of the topic."""
    options = kb.policies_for_topic(topic)
    dated = chooser.by_year(options, prepared)
    regions = {p.region for p in dated}
    # by_year hands back the same list when the words name no year of these documents
    return regions.pop() if dated is not options and len(regions) == 1 else None


def comparison_sides(text: str) -> list[str]:
    """The two sides of "A和B有啥区别" (split at the first word between them)."""
    return _BETWEEN.split(text.replace(" ", ""), maxsplit=1)


def asked_parts(text: str) -> list[str]:
    """The parts of a question; "A和B各是多少钱" / "A跟B分别怎么申请" is one sentence but two parts."""
    parts = split_parts(text)
    compact = text.replace(" ", "")
    if len(parts) == 1 and _EACH.search(compact) and _BETWEEN.search(compact):
        return comparison_sides(compact)
    return parts


def is_comparison(text: str) -> bool:
    """"A和B有啥区别", "2020年和2023年对比一下", "哪个钱多"."""
    compact = text.replace(" ", "")
    return bool(_COMPARE.search(compact) and _BETWEEN.search(compact))


class CompanionLookup:
    """Mixed into `FaqLookup`, which holds the knowledge base, the reader, the chooser and `prepare`."""

    kb: KnowledgeBase
    reader: "TextReader"
    chooser: PolicyChooser

    def prepare(self, text: str) -> str:
        raise NotImplementedError

    def leans_on_answer(self, text: str) -> bool:
        raise NotImplementedError

    def companions(self, policy: Policy, q: Question, region: str | None, today: date) -> list[tuple[Policy, str]]:
        """Other measures the same message asks about: the topic in another region named ("兵团和乌鲁木齐
        有啥区别"), or a second topic in another part of the question ("失业金多少，培训补贴怎么申请")."""
        said = self.prepare(q.text)
        found: list[tuple[Policy, str]] = []
        for other_region in dict.fromkeys(self.reader.regions_in(q.text)):
            if other_region != policy.region and not self._region_asks_other_topic(other_region, policy, q):
                other = self.chooser.pick(policy.topic, other_region, today, said, exact=True)
                if other and other.id != policy.id:
                    found.append((other, q.text))
        found += [(other, q.text) for other in self._compared(policy, q.text, region, today)
                  if other.id not in {p.id for p, _ in found}]
        # a second topic needs a second part that asks; one that tells ("我在沙区") names none. "A和B各是多少"
        # asks the whole question of each side
        sides = asked_parts(q.text) if len(q.parts) == 1 else []
        asking = self._with_what_follows(self.asking_parts(q.parts))[:MAX_PARTS] if len(sides) < 2 \
            else [(side, q.text) for side in sides]
        years = " ".join(f"{y}年" for y in YEAR.findall(q.text))
        for part, question in asking if len(asking) > 1 else ():
            other = self._asked_in_part(policy, part, years, region, today) or \
                self._usual_for_part(policy, part, q.text, region, today)
            if other and other.id not in {p.id for p, _ in found} and other.id != policy.id:
                found.append((other, question))
        return found[:MAX_COMPANIONS]

    def _with_what_follows(self, parts: list[str]) -> list[tuple[str, str]]:
        """Each asking part, and the question it opens: it and the parts after it that name no topic of their
        own and lean on nothing ("居民养老交了有几年断了 补的时候按什么档次交 还有…失业金要带什么": the 档次 part
        asks of 居民养老; "…劳务派遣公司呢" asks of another measure)."""
        named = [self.leans_on_answer(part) or self.reader.topic_of(part) is not None for part in parts] \
            if len(parts) > 1 else [True]
        out = []
        for i, part in enumerate(parts):
            following = list(itertools.takewhile(lambda j: not named[j], range(i + 1, len(parts))))
            out.append((part, " ".join([part, *(parts[j] for j in following)])))
        return out

    def regions_lacking(self, policy: Policy, q: Question) -> list[str]:
        """Named regions with no measure of the topic ("兵团的创业担保贷款和乌鲁木齐的…"): said, not dropped."""
        return [r for r in dict.fromkeys(self.reader.regions_in(q.text)) if r != policy.region
                and not self.chooser.candidates(policy.topic, r) and not self._region_asks_other_topic(r, policy, q)]

    def _region_asks_other_topic(self, region: str, policy: Policy, q: "Question") -> bool:
        """"乌鲁木齐失业金多少？兴安盟的见习补贴呢": 乌鲁木齐 is named for 失业金, not for 见习."""
        parts = [part for part in q.parts if region in self.reader.regions_in(part)]
        named = [self.reader.topic_of(part) for part in parts]
        return bool(parts) and all(n is not None and n[0] != policy.topic for n in named)

    def _asked_in_part(self, policy: Policy, part: str, years: str, region: str | None, today: date) -> Policy | None:
        """The measure one asking part names: of another topic, or of this topic by words only it has
        ("城镇居民就业技能培训…就业率？高危行业安全技能培训在哪办": two measures of 职业技能培训)."""
        # "2020年…降费率…？那年的稳岗返还…": the year named once holds for the part after it
        said = self.prepare(part) if YEAR.search(part) else f"{self.prepare(part)} {years}"
        # "乌鲁木齐失业金多少？兴安盟的见习补贴呢": the part's own region, if it names one
        here = next(iter(self.reader.regions_in(part)), None) or region or policy.region
        if self.leans_on_answer(part):
            # "就业困难人员社保补贴最长补几年 高校毕业生的呢": another measure of this topic, by its own words
            sibling = self.chooser.named(self.chooser.candidates(policy.topic, here), said)
            if sibling is not None and sibling.id != policy.id:
                return sibling
        named = self.reader.topic_of(part)
        if not named or named[1] < SECOND_TOPIC_MIN and named[0] != policy.topic:
            return None
        if named[0] != policy.topic:
            return self.chooser.pick(named[0], here, today, said)
        return self.chooser.named(self.chooser.candidates(policy.topic, here), said)

    def _usual_for_part(self, policy: Policy, part: str, whole: str, region: str | None,
                        today: date) -> Policy | None:
        """"兵团稳岗返还要企业自己去申请吗？劳务派遣公司呢": the other part's words named this measure; a part of
        the same topic that names none asks about the topic's usual measure."""
        named = self.reader.topic_of(part)
        if not named or named[0] != policy.topic:
            return None
        usual = self.chooser.pick(policy.topic, region or policy.region, today, "")
        if usual is None or usual.id == policy.id:
            return None
        # the words that set this measure's title apart from the usual one's: in the message, not in this part
        own = bigrams(self.prepare(policy.title)) - bigrams(self.prepare(usual.title))
        in_part, in_whole = own & bigrams(self.prepare(part)), own & bigrams(self.prepare(whole))
        return usual if len(in_part) < USUAL_PART_SHARED <= len(in_whole) else None

    def _compared(self, policy: Policy, text: str, region: str | None, today: date) -> list[Policy]:
        """"高校毕业生社保补贴和就业困难人员社保补贴有啥区别", "2020年和2023年的对比一下": the measure each
        side of a comparison names (its topic, region and year as that side says them)."""
        compact = text.replace(" ", "")
        if not is_comparison(compact) and len(asked_parts(compact)) < 2:   # "2020年和2023年的…分别到哪天"
            return []
        found: list[Policy] = []
        for side in comparison_sides(compact):
            named = self.reader.topic_of(side)
            side_region = next(iter(self.reader.regions_in(side)), None)
            # the topic the side names, else this one's ("就业困难人员和高校毕业生的社保补贴": both 社保补贴)
            for topic in dict.fromkeys((*(named[:1] if named else ()), policy.topic)):
                where = side_region or region_of_year(self.kb, self.chooser, topic, self.prepare(side)) \
                    or region or policy.region
                other = self.chooser.pick(topic, where, today, self.prepare(side))
                if other and other.id != policy.id and other not in found:
                    found.append(other)
                    break
        return found

    def first_of_each_asked(self, topics: list[str], text: str) -> str | None:
        """"兴安盟找工作去哪登记？见习补贴给多少？": two close topics that are each asked in a part of their
        own are both meant — the first is answered, and the other beside it (see `companions`)."""
        parts = asked_parts(text)
        sides = len(parts) > len(split_parts(text))   # "A和B各是多少": each side asks
        named = [self.reader.topic_of(part) for part in (parts if sides else self.asking_parts(parts))]
        asked = [n[0] for n in named if n]   # each part read surely as one of the topics already too close to call
        return asked[0] if set(topics) <= set(asked) else None

    def asking_parts(self, parts: Iterable[str]) -> list[str]:
        """The parts that ask; one that names no topic is read with the parts that tell just before it
        ("企业招离校未就业的大学生，一次性补贴每人多少", "我们公司想搞学徒制培训，沙依巴克区人社局电话又是多少")."""
        parts = list(parts)
        if sum(map(asks_something, parts)) < 2:   # one question: nothing to tell apart (and nothing read again)
            return [part for part in parts if asks_something(part)]
        out, told = [], ""
        for part in parts:
            if not asks_something(part):
                told += part
                continue
            out.append(told + part if told and self.reader.topic_of(part) is None else part)
            told = ""
        return out
