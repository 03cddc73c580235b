"""The answer planner: one reply that answers every part of what was asked about a policy.

People ask at the level of a clause ("能领几个月", "要交满多久", "能同时拿吗") and often ask two things at
once. The planner finds, for each part of the question, the FAQ entry or record field that answers it,
uses what the person's story already says about the conditions, adds the office of a district named in
the text, and names any part it cannot answer instead of dropping it. It only arranges quoted text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from ..dialog import render
from ..knowledge.grounding import extract_facts, fold
from ..knowledge.model import FaqAspect, FaqEntry, KnowledgeBase, Policy
from .cues import AskedAspects, DetailCues, split_parts
from .choose import GENERIC
from .faq_index import ScoredEntry, bigrams
from .companions import is_comparison
from .entries import EntryFinder, far_ahead
from .sentences import asks_something
from .conditions import conditions_lines, entries_for_story, requirement, shortfall_line, story_rules, timed_conditions
from .story import Quantity, Verdict, falls_short, judge, story_quantities

# characters that join or ask and name no one ("A和B有啥不一样", "能领吗"): always kept in a stored question
GLUE = frozenset("和与跟同及或还是的了吗呢么不没有一样几多少什怎哪谁啥比各分别又再也都")
TIMED = frozenset({FaqAspect.DEADLINE, FaqAspect.DURATION})   # clauses that say when or how long
# a kind of detail with no FAQ entry is answered by the record field that holds it (a record field the
# question asks for is always shown whole; FAQ clauses it already holds are dropped, see _drop_parts_of)
FALLBACK_FIELD = {FaqAspect.DURATION: "duration", FaqAspect.AMOUNT: "amount", FaqAspect.MATERIALS: "materials", FaqAspect.CHANNEL: "process",
                  FaqAspect.PROCESS: "process", FaqAspect.DEADLINE: "deadline", FaqAspect.VALIDITY: "validity",
                  FaqAspect.CONTACT: "contact", FaqAspect.CONDITION: "eligibility", FaqAspect.AUDIENCE: "audience"}
LOOSE_FAQ = 0.22       # good enough when the record itself has nothing on what was asked
SHORT_FIELD = 200      # a record field this short is shown beside an answer it completes
GENERAL_FAQ_MIN = 0.6  # a question that names no detail gets a FAQ clause beside the overview only this close
MISSING = "原文没有写明"
DETAIL_NAMES = {FaqAspect.DURATION: "期限（能领多久、几次）", FaqAspect.COMBINE: "能否同时享受、能享受几次",
                FaqAspect.WHAT_IF: "这种特殊情况怎么处理", FaqAspect.EXCLUDED: "哪些人不能享受",
                FaqAspect.AUDIENCE: "适用对象"}


@dataclass(frozen=True)
class Question:
    text: str                        # normalised; clauses separated by spaces
    asked: AskedAspects
    parts: tuple[str, ...]
    story: tuple[Quantity, ...]


@dataclass
class PolicyAnswer:
    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)      # record aspects the reply already holds
    needs_district: bool = False                      # contact asked, district unknown
    entries: list[FaqEntry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # lines saying the record has nothing on what was asked


# what can answer "能领吗" beside the conditions: who is in, who is out, what happens if …, together with …
REPEAT_CHARS = 8   # a line whose words (this many or more) another line prints whole is left out
ELIGIBILITY_KINDS = frozenset({FaqAspect.CONDITION, FaqAspect.AUDIENCE, FaqAspect.EXCLUDED, FaqAspect.WHAT_IF,
                               FaqAspect.COMBINE})


_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _all_known(word: str, known: frozenset[str]) -> bool:
    return len(word) > 1 and all(word[i:i + 2] in known for i in range(len(word) - 1))


def _validity_instead(policy: Policy, validity: str, out: PolicyAnswer) -> None:
    """"到哪天截止" with no 申请时限 in the record: the measure's own end date answers it."""
    v = policy.validity
    if not (v.until or v.text):
        return
    line = f"有效期：{validity}"
    if "validity" not in out.shown and not _said_already(line, out):
        out.lines.append(line)
    out.shown.add("validity")
    # the end date answers "到什么时候"; "申请时限没有写明" beside it only confuses
    out.lines = [x for x in out.lines if x not in out.missing[-1:]]
    out.missing = out.missing[:-1]


def _without_repeats(lines: list[str], clauses: set[str]) -> list[str]:
    """"个人额度：1.个人最高金额不超过20万元" beside a 享受标准 line that already prints it: a FAQ clause
    (`clauses`) another line prints whole is said once, by that line."""
    def body(line: str) -> str:
        return line.split("：", 1)[-1].strip("。； ")
    others = [line for line in lines if line not in clauses]
    kept: list[str] = []
    for line in lines:
        said = [*others, *(k for k in kept if k in clauses)]
        if line not in clauses or len(body(line)) < REPEAT_CHARS or not any(body(line) in other for other in said):
            kept.append(line)
    return kept


class AnswerPlanner(EntryFinder):
    """Composes the reply about a measure; finding the entry or measure meant is `FaqLookup`'s job."""

    def keep_known(self, normalized: str) -> str:
        """The question as the session may keep it: only characters that belong to some bigram of the
        bot's own data (topics, FAQ, places, cues) and figures. Names and other personal words go."""
        known, out = self.reader.known, []
        # an English word the glossary did not fold goes whole ("after" must not leave "ter")
        normalized = _LATIN_WORD.sub(lambda m: m.group() if _all_known(m.group(), known) else " ", normalized)
        # a character stays when the pair it ends or the pair it starts is known: each pair looked up once
        pairs = [normalized[i:i + 2] in known for i in range(len(normalized) - 1)] + [False]
        for i, ch in enumerate(normalized):
            keep = ch == " " or ch.isdigit() or ch in GLUE or pairs[i] or (i > 0 and pairs[i - 1])
            out.append(ch if keep else " ")
        return re.sub(r" +", " ", "".join(out)).strip()

    def question(self, normalized: str, story: tuple[Quantity, ...] | None = None) -> Question:
        """What `normalized` asks; `story`: the figures of the whole message when it was a long story."""
        figures = tuple(story_quantities(normalized)) if story is None else story
        return Question(normalized, self.cues.asked(normalized), tuple(split_parts(normalized)), figures)

    # ---- choosing FAQ entries ----------------------------------------------------------------------


    def each_answers(self, policies: list[Policy], q: Question, today: date) -> list[str]:
        """Before asking which measure: what each says on the detail asked, one clause each ("要自己先掏钱
        吗" → 先垫后补 under both), when every one of them has a clause that answers it."""
        if not q.asked.record and not q.asked.details:
            return []
        lines = []
        for policy in policies:
            hits = self.entries_for(policy, q)
            if not hits:
                return []
            tag = self.short_tag(policy, today) or ""
            lines.append(f"· 「{policy.button}」{tag}{self.entry_line(hits[0].entry, today)}")
        return lines

    @staticmethod
    def figures(normalized: str, today: date | None = None) -> tuple[Quantity, ...]:
        return tuple(story_quantities(normalized, today))

    # ---- composing ---------------------------------------------------------------------------------
    def answer(self, policy: Policy, q: Question, place: str | None, today: date,
               warned: bool, prefilled: dict[str, tuple[str, str]] | None = None) -> PolicyAnswer:
        """The reply about `policy` for question `q`: each part answered, then the office, then the source.

        `warned`: the ended / draft warning was already given in full in this conversation (a tag now)."""
        out = PolicyAnswer(sources=[render.cite(policy, self.kb)])
        q = replace(q, asked=self.cues.asked(q.text, ignore=self._names(policy)))
        notice = self.short_tag(policy, today) if warned else render.standing_notice(policy, self.kb, today)
        general = not q.asked.record and not q.asked.details   # "兴安盟创业担保贷款": the overview
        only_eligibility = q.asked.record == ("eligibility",) and not q.asked.details
        for hit in self.entries_for(policy, q):
            # a question that names no detail gets a clause only when it plainly fits ("僵尸企业还发吗")
            if general and hit.score < GENERAL_FAQ_MIN and not self._clearly_best(policy, q, hit):
                continue
            # "被辞退了，能领失业金吗": the conditions answer it; "手机上能领吗" (网上申领) only sounds alike
            if only_eligibility and hit.entry.aspect not in ELIGIBILITY_KINDS:
                continue
            out.entries.append(hit.entry)
            out.lines.append(self.entry_line(hit.entry, today))
        unchosen = [e for e in self.kb.faq.for_policy(policy.id) if e not in out.entries]
        said = self.prepare(q.text)
        others = [name for tid, name in self.topic_names.items() if tid != policy.topic and name in said]
        for entry in (_story_entries(entries_for_story(unchosen, q.story, bigrams(said), self.prepare), q.story) +
                      _naming_another(unchosen, others, self.prepare)[:1]):
            out.entries.append(entry)
            out.lines.append(self.entry_line(entry, today))
        out.lines += [line for e in out.entries if (line := shortfall_line(e, q.story))]
        self._record_aspects(policy, q, today, out, prefilled or {})
        if not out.entries and (len(out.missing) == len(out.lines) and out.missing or self._unanswered(q, out)):
            self._closest_entry(policy, q, today, out)
        if out.missing and policy.summary and extract_facts(policy.summary) and not _said_already(policy.summary, out):
            out.lines.append(f"概要：{policy.summary}")   # "10个工作日内办结" may stand only there
        self._unanswered_details(q, out)
        # a comparison wants each side whole, beside what was asked of both
        only_office = _asks_only_office(policy, q, self.cues)   # "…是同一个电话吗": the offices compared
        if general or not only_office and (not out.lines or is_comparison(q.text)):
            out.lines += [line for line in render.overview(policy, self.kb, today) if not _said_already(line, out)]
            out.shown.update({"amount", "validity"})
        # "沙区和天山区办失业金的电话分别是多少": each district named, beside the one remembered
        _office(self.kb, policy, tuple(dict.fromkeys([*self.reader.places_in(q.text), place])), q, out)
        out.lines += [n for n in self.kb.quoted_notes(policy, today, "\n".join(out.lines))
                      if not any(n in line for line in out.lines)]
        out.lines = [line for line in (notice, f"「{policy.title}」（{policy.region}）：") if line] + \
            _without_repeats(list(dict.fromkeys(out.lines)), {self.entry_line(e, today) for e in out.entries})
        out.lines.append(f"来源：{render.cite(policy, self.kb)}")
        return out

    def _clearly_best(self, policy: Policy, q: Question, hit: ScoredEntry) -> bool:
        """The entry fits the question far better than any other entry of the measure."""
        ranked = self.index.rank([policy.id], q.text, q.asked.details, self.own_name(policy))
        return far_ahead(hit.score, next((h.score for h in ranked if h.entry is not hit.entry), 0.0))

    def _closest_entry(self, policy: Policy, q: Question, today: date, out: PolicyAnswer) -> None:
        """The record has no field for what was asked: the closest quoted clause beats "原文没有写明"."""
        hit = self.index.best([policy.id], q.text, q.asked.details, min_score=LOOSE_FAQ, ignore=self.own_name(policy))
        if hit:
            out.lines = [line for line in out.lines if line not in out.missing]
            out.lines.append(self.entry_line(hit.entry, today))
            out.entries.append(hit.entry)

    def entry_line(self, entry: FaqEntry, today: date) -> str:
        line = f"{entry.label}：{entry.answer}"
        if entry.until:
            state = "已经结束" if entry.until < today else "仍在执行期内"
            line += f"（这一条的期限，原文写的是“{entry.until_text}”，按今天算{state}。）"
        return line

    def short_tag(self, policy: Policy, today: date) -> str | None:
        standing = self.kb.standing(policy, today)
        if standing.draft or standing.ended:
            return f"（{standing.label}）"
        return None

    def _record_aspects(self, policy: Policy, q: Question, today: date, out: PolicyAnswer,
                        prefilled: dict[str, tuple[str, str]]) -> None:
        duration_only = FaqAspect.DURATION in q.asked.details and FaqAspect.DEADLINE not in q.asked.details
        answered_kinds = {e.aspect for e in out.entries}
        wanted = list(q.asked.record) + [FALLBACK_FIELD[k] for k in q.asked.details
                                         if k in FALLBACK_FIELD and k not in answered_kinds]
        for aspect in dict.fromkeys(wanted):
            if aspect in out.shown or aspect == "contact":
                continue
            if aspect == "deadline" and duration_only:
                continue  # "能领几个月" is not answered by 申请时限
            if aspect == "audience" and policy.audience and not policy.conditions:
                out.lines.append(f"适用对象：{policy.audience}")   # "什么人可以参加"
            elif aspect in ("eligibility", "audience"):
                self._eligibility(policy, q, today, out, prefilled)
            elif aspect == "process" and (policy.process or policy.channels_online or policy.channels_onsite):
                short = policy.process and len(policy.process) <= SHORT_FIELD
                # the steps when they are short, else where to apply (the channels say it shorter)
                lines = [f"办理流程：{policy.process}"] if short else _apply_lines(policy)
                lines = lines or [f"办理流程：{policy.process}"]
                for line in lines:
                    _drop_parts_of(line, out, today, self)
                out.lines += lines
            elif aspect == "duration":
                # "要交多少个月才能申请": no 享受期限, but a condition that counts months or years answers it
                said = bigrams(self.prepare(q.text)) - self.own_name(policy) - GENERIC
                timed = [f"条件：{requirement(c)}" for c in timed_conditions(policy, said, self.prepare)]
                if not policy.duration and not timed:
                    continue  # named below as not stated ("关于期限：原文没有写明")
                if not policy.duration:
                    out.lines += timed
                elif not any(policy.duration in line for line in out.lines):   # "享受期限（不是有效期）" says it
                    out.lines.append(f"享受期限：{policy.duration}")
            else:
                text = render.aspect_text(policy, aspect, self.kb, today)
                if MISSING in text and self._clause_answers(aspect, out):
                    continue   # "多久办完", "延到什么时候": the clause shown answers it; no field is missing
                if not _said_already(text, out):
                    _drop_parts_of(text, out, today, self)
                    out.lines.append(text)
                if MISSING in text:
                    out.missing.append(text)
                    if aspect == "deadline":
                        _validity_instead(policy, render.validity_line(policy, self.kb, today), out)
            out.shown.add(aspect)
        if q.story and "eligibility" not in out.shown and policy.conditions:
            findings = judge(policy.conditions, list(q.story))
            if any(f.verdict is Verdict.FAILED for f in findings):
                out.lines += conditions_lines(policy, q.story, prefilled)[0]
                out.shown.add("eligibility")

    def _eligibility(self, policy: Policy, q: Question, today: date, out: PolicyAnswer,
                     prefilled: dict[str, tuple[str, str]]) -> None:
        """"我能领吗 / 怎么领": the conditions at once (the check is a button), with the standard beside."""
        if self.kb.standing(policy, today).ended and policy.conditions:
            out.lines.append(render.ENDED_NO_CHECK)
        if not policy.conditions:
            out.lines += [line for line in render.overview(policy, self.kb, today) if not _said_already(line, out)]
            out.shown.update({"amount", "validity"})
            return
        lines, findings = conditions_lines(policy, q.story, prefilled)
        out.lines += lines + story_rules(policy, q.story, {f.condition for f in findings},
                                         bigrams(self.prepare(q.text)), self.prepare)
        if policy.standard and "amount" not in out.shown and len(policy.standard) <= SHORT_FIELD:
            out.lines.append(f"标准：{policy.standard}")
            out.shown.add("amount")

    @staticmethod
    def _clause_answers(aspect: str, out: PolicyAnswer) -> bool:
        """A clause shown answers what the record lacks: one on that very detail (办结时限 for 多久)."""
        return any(e.aspect.value == aspect or aspect == "deadline" and e.aspect in TIMED for e in out.entries)

    @staticmethod
    def _unanswered(q: Question, out: PolicyAnswer) -> list[FaqAspect]:
        """The kinds of detail asked that no record field shown answers."""
        answered = {k for k, f in FALLBACK_FIELD.items() if f in out.shown}
        return [kind for kind in q.asked.details if kind in DETAIL_NAMES and kind not in answered
                and not (kind is FaqAspect.AUDIENCE and out.shown)]

    def _unanswered_details(self, q: Question, out: PolicyAnswer) -> None:
        """Name what was asked and nothing answers ("关于期限：原文没有写明") — unless a quoted clause
        already answers the question: cue words are loose ("干满几年" is a condition, not a duration). A part
        of its own that asks just that ("…多少钱？能领几个月？") is named all the same."""
        kinds = self._unanswered(q, out)
        if out.entries:
            shown = {e.aspect for e in out.entries}
            alone = {self.cues.asked(part).details for part in q.parts} if len(q.parts) > 1 else set()
            kinds = [k for k in kinds if k not in shown and (k,) in alone]
        for kind in kinds:
            out.lines.append(f"关于{DETAIL_NAMES[kind]}：原文没有写明，请向办理机构确认。")


def _office(kb: KnowledgeBase, policy: Policy, named: tuple[str | None, ...], q: Question, out: PolicyAnswer) -> None:
    """Where to go and whom to call, as much as the question asked and the districts named allow."""
    places = render.contact_places(policy, kb)
    here = [p for p in named if p in places]
    asked = "contact" in q.asked.record
    # a website or a window the answer already quotes says where (unless a phone was asked)
    says_where = not _WANTS_PHONE.search(q.text) and any(_SAYS_WHERE.search(line) for line in out.lines)
    if asked and "process" not in out.shown:
        # "在哪里申报，电话多少": the website and where one goes in person, beside the office to call
        out.lines += [line for line in _apply_lines(policy) if not _said_already(line, out)]
    if policy.contacts and here:
        rows = [row for p in here for row in render.contact_entries(policy, kb, p)]
        out.lines += [f"办理地点：{render.entry_line(row)}" for row in dict.fromkeys(rows)]
        out.sources.append(f"{render.cite(policy, kb)} 所附办理机构表")
        out.shown.add("contact")
    elif asked and policy.contacts and places and not says_where:
        # "兴安盟…电话多少", no 旗县 said: the league's own office at once, the others behind the buttons
        seat = next((p for p in places if p.endswith(SEAT_SUFFIX)), None)
        out.lines += [f"办理地点：{render.entry_line(row)}" for row in
                      (render.contact_entries(policy, kb, seat) if seat else [])]
        out.needs_district = True
    elif asked and policy.contacts:
        out.lines += [render.entry_line(row) for row in render.contact_entries(policy, kb, None)]
        out.shown.add("contact")
    elif asked:
        out.lines.append(f"咨询：{policy.contact_text}" if policy.contact_text
                         else "原文没有列出办理机构电话，请咨询当地人力资源和社会保障部门。")
        out.shown.add("contact")


def _asks_only_office(policy: Policy, q: Question, cues: DetailCues) -> bool:
    """"突泉县职称咨询电话": the office is the answer, not the whole measure."""
    # a part that only tells ("经开区…中心") asks nothing; one that asks ("有啥倾斜") asks more than the office
    asking = [cues.asked(part).record for part in q.parts if cues.asked(part).record or asks_something(part)]
    return bool(policy.contacts or policy.contact_text) and _WANTS_PHONE.search(q.text) is not None \
        and bool(asking) and all(record == ("contact",) for record in asking)


def _story_entries(fitting: list[FaqEntry], story: tuple[Quantity, ...]) -> list[FaqEntry]:
    """The clause the story fits best, and the best one it falls short of when that is another: the one that
    decides "我这种能直接报吗"."""
    short = next((e for e in fitting if falls_short(e.answer, story)), None)
    return list(dict.fromkeys([*fitting[:1], *([short] if short else [])]))


def _naming_another(entries: list[FaqEntry], names: list[str], prepare) -> list[FaqEntry]:
    """"领过职业培训补贴了，技能提升补贴还能再领吗": the clause on taking both (不得重复享受) names the other
    measure the question names."""
    return [e for e in entries if e.aspect is FaqAspect.COMBINE and any(n in prepare(e.answer) for n in names)]


SEAT_SUFFIX = "本级"   # a region's own level among the places of an office table (盟本级, 乌鲁木齐市本级)
_WANTS_PHONE = re.compile(r"电话|号码|热线|联系方式|打哪个")
_SAYS_WHERE = re.compile(r"https?://|www\.|\.cn|网址|网站|窗口")


def _apply_lines(policy: Policy) -> list[str]:
    """Where the application goes, then the website and where one goes in person."""
    where = render.where_to_apply(policy)
    return ([f"申请：{where}"] if where else []) + render.channel_lines(policy, bullet="")


def _body(text: str) -> str:
    return fold(re.sub(r"^[^：]{1,8}：", "", text.strip())).rstrip("。；;")


def _said_already(text: str, out: PolicyAnswer) -> bool:
    """A record field whose words a quoted FAQ clause of the same reply already holds."""
    body = _body(text)
    return bool(body) and any(body in fold(e.answer) for e in out.entries)


def _drop_parts_of(text: str, out: PolicyAnswer, today: date, planner: "AnswerPlanner") -> None:
    """FAQ clauses that are only a piece of the record field about to be shown ("3.…代为申请协议")."""
    whole = fold(text)
    parts = [e for e in out.entries if _body(e.answer) and _body(e.answer) in whole]
    for entry in parts:
        out.entries.remove(entry)
        line = planner.entry_line(entry, today)
        if line in out.lines:
            out.lines.remove(line)
