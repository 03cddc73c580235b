"""The conversation: from a question to the right answer for this person.

Each turn either picks one of the buttons on offer (an *action*) or is understood afresh by the matcher.
Actions are strings stored with the buttons, so a button press, its number and a typed answer all take
the same path:

    topic:<id>        start a topic (clarification, topic list)
    policy:<id>       pick one of several policies of a topic in a region
    region:<name>     the region the person is in ("region:other" when none of ours)
    answer:<n>:<opt>  an answer to eligibility condition n
    district:<name>   the district whose office to show
    aspect:<name>     a follow-up about the policy under discussion (materials, process, contact …)
    check             start the eligibility check
    other / none      nothing more on this topic / none of the offered topics
    restart, human, topics
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..knowledge.model import KnowledgeBase, OfficeEntry, Policy
from ..nlu.lexicon import CONVERSATIONAL_INTENTS
from ..nlu.matcher import Matcher, Understanding
from ..nlu.normalize import MAX_INPUT_CHARS
from ..nlu.phrases import find_affirmed, phrase_pattern
from . import render
from .choices import match_choice, yes_no_choice
from .reply import Reply
from .session import (MAX_HISTORY, ANSWERED, ASKING_DISTRICT, ASKING_REGION, CHECKING, CHOOSING, CLARIFYING, FALLBACK,
                      IDLE, Session)

RESTART_WORDS = ("/reset", "/restart", "重新开始", "重来", "从头开始", "重新来", "清空")
BACK_WORDS = ("返回", "上一步", "返回上一步", "退回", "回到上一步", "/back")
COMMANDS = {"/start": "start", "/help": "help", "/topics": "topics", "/region": "region",
            "/human": "human", "/about": "about_bot"}
FOLLOW_UPS = (("需要哪些材料", "aspect:materials"), ("办理流程", "aspect:process"),
              ("办理地点电话", "aspect:contact"), ("享受标准", "aspect:amount"))
HUMAN_LABEL, OTHER_LABEL, RESTART_LABEL, TOPICS_LABEL = "转人工", "其他问题", "重新开始", "看看能问什么"
RELATED_LABEL = "同类其他政策"
OFFICE_KINDS = ("社保分中心", "就业服务管理中心", "人社局", "技工学校", "公共就业服务中心", "担保公司", "担保有限责任公司",
                "继续教育和职称评价管理中心", "专业技术人员管理科")
FEATURED_TOPICS = ("unemployment_benefit", "internship", "startup_loan", "job_retention_refund",
                   "training_subsidy", "personal_si_subsidy")
QUESTION_STATES = (CHECKING, ASKING_REGION, ASKING_DISTRICT, CLARIFYING, CHOOSING)
POLICY_STATES = (CHECKING, ASKING_DISTRICT, ANSWERED)  # the states in which a reply is about one policy
ENGLISH_HINT = "(Sorry, I can only help in Chinese with employment and social-insurance policies.)"


@dataclass
class Turn:
    """Everything one message needs: the session to change and the reply being built."""

    session: Session
    today: date
    text: str
    understanding: Understanding | None = None
    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    intent: str | None = ""      # "" = not decided this turn: the topic under discussion
    confidence: float = 1.0
    repeat: bool = False   # this turn only repeats the pending question; keep its stored prompt

    question: str | None = None   # the question this turn asks, shown again on 返回 or a bad answer

    def say(self, *lines: str) -> None:
        self.lines.extend(line for line in lines if line)

    def ask(self, question: str) -> None:
        self.say(question)
        self.question = question

    def cite(self, citation: str) -> None:
        if citation not in self.sources:
            self.sources.append(citation)


class Dialog:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher):
        self.kb = kb
        self.matcher = matcher
        self.clean = matcher.normalize.clean
        # which policies cite each office table (for "天山区社保分中心电话"), worked out once
        self.table_users = {tid: [p for p in kb.policies.values() if tid in p.contacts] for tid in kb.tables}

    # ---- entry point -------------------------------------------------------------------------
    def respond(self, session: Session, text: str, today: date) -> Reply:
        text = text if isinstance(text, str) else ""
        turn = Turn(session, today, text)
        before = session.snapshot()
        plain = self.clean(text).replace(" ", "")
        words = text.strip().split()
        command = words[0].split("@")[0].lower() if words else ""  # "/start payload", "/help@mybot"
        moved = True
        if not plain and command not in COMMANDS and command not in RESTART_WORDS:
            self._empty(turn)
            moved = False
        elif command in RESTART_WORDS or plain in RESTART_WORDS:
            self._restart(turn)
            session.history.clear()
            moved = False
        elif command in BACK_WORDS or plain in BACK_WORDS:
            self._back(turn)
            moved = False
        elif command in COMMANDS:
            self._command(turn, COMMANDS[command])
        else:
            self._message(turn)
        if moved and session.pending and session.snapshot() != before and before.get("pending"):
            session.history.append(before)
            del session.history[:-MAX_HISTORY]
        return self._reply(turn)

    def _reply(self, turn: Turn) -> Reply:
        s = turn.session
        text = "\n".join(turn.lines).strip()
        if s.pending and not turn.repeat:
            s.prompt = turn.question or text
        intent = s.topic if turn.intent == "" else turn.intent
        about_policy = intent is not None and s.state in POLICY_STATES
        return Reply(text=text, options=[label for label, _ in s.pending], intent=intent,
                     policy=s.policy if about_policy else None, confidence=round(turn.confidence, 3), state=s.state, sources=turn.sources)

    # ---- plain messages ----------------------------------------------------------------------
    def _message(self, turn: Turn) -> None:
        s = turn.session
        if s.pending:
            labels = [label for label, _ in s.pending]
            index = match_choice(turn.text, labels, yes_no=s.state == CHECKING)
            if index is not None:
                turn.confidence = 1.0
                self._act(turn, s.pending[index][1])
                return
        u = self.matcher.understand(turn.text)
        turn.understanding = u
        turn.confidence = u.confidence
        if u.truncated:
            turn.say(f"（您的消息比较长，我只读了最后 {MAX_INPUT_CHARS} 个字。）")
        if s.pending and s.state in (ASKING_REGION, ASKING_DISTRICT) and self._place_answer(turn, u):
            return
        only_place = (u.region is not None and not u.topic_words and not u.aspect
                      and not (u.outcome == "match" and u.intent in CONVERSATIONAL_INTENTS))
        if only_place and s.pending and s.state in (CHECKING, CLARIFYING, CHOOSING):
            # "乌鲁木齐" in the middle of a question: remember it, then ask the question again
            self._remember_place(s, u)
            turn.repeat = True
            turn.say(f"好的，记下了：{u.place or u.region}。")
            turn.say(s.prompt)
            return
        if only_place:
            policy = self._policy(s)
            if policy and u.region == policy.region and u.place in render.contact_places(policy, self.kb):
                # "天山区" after an answer: the office of that district for the policy under discussion
                self._remember_place(s, u)
                self._show_contact(turn, policy)
            elif policy and u.place and not render.contact_places(policy, self.kb) and \
                    u.region in (policy.region, *self.kb.regions[u.region].covered_by, s.region):
                self._remember_place(s, u)
                turn.say(f"「{policy.title}」的原文没有按区县列出办理机构。")
                self._say_contact_text(turn, policy)
                self._offer_follow_ups(turn, policy, done="contact")
            else:
                # "兵团" on its own: the person says where they are; answer the topic for that region
                place = u.place
                self._chose_region(turn, u.region)
                s.place = place or s.place
            return
        self._remember_place(s, u)
        if u.aspect not in ("materials", "process", "eligibility", "deadline", "validity"):
            if self._office_lookup(turn, u):
                return
        if u.outcome == "vague" and not (s.pending and s.state in QUESTION_STATES):
            self._vague(turn, u)
            return
        if u.outcome == "match" and u.intent in CONVERSATIONAL_INTENTS:
            turn.intent = u.intent
            self._command(turn, u.intent)
            return
        if u.outcome in ("match", "clarify") and u.topic_words:
            if u.outcome == "clarify":
                self._clarify(turn, u)
            else:
                s.context_text = u.normalized if u.intent != s.topic else s.context_text + " " + u.normalized
                self._start_topic(turn, u.intent, u.aspect, check=u.aspect == "eligibility")
            return
        if s.policy and u.is_follow_up and not u.entities.get("elsewhere"):
            # "那要带什么材料？" — a follow-up about the policy under discussion
            self._follow_up(turn, u.aspect)
            return
        if u.outcome == "match" and u.intent:
            self._start_topic(turn, u.intent, u.aspect, check=u.aspect == "eligibility")
            return
        if s.pending and s.state in QUESTION_STATES:
            self._not_understood(turn)
            return
        if s.pending and yes_no_choice(turn.text, ["是", "否"]) is not None:
            # a bare 是 / 好的 / 不用 after an answer: nothing was asked, so show what can come next
            turn.repeat = True
            turn.say("好的。您还想了解哪一项？请点选下面的按钮，或者直接打字提问。")
            return
        if u.outcome == "clarify":
            self._clarify(turn, u)
            return
        self._out_of_scope(turn, u)

    def _remember_place(self, s: Session, u: Understanding) -> None:
        if u.region:
            if u.region != s.region:
                s.place = None
            s.region = u.region
        if u.place:
            s.place = u.place

    def _place_answer(self, turn: Turn, u: Understanding) -> bool:
        """A typed place name ('沙区', '乌市') answers a region or district question."""
        s = turn.session
        elsewhere = u.entities.get("elsewhere")
        if s.state == ASKING_REGION and elsewhere and not u.region and not u.topic_words:
            turn.repeat = True
            turn.say(f"抱歉，我只有乌鲁木齐市、新疆维吾尔自治区、新疆兵团和兴安盟的政策资料，没有{elsewhere[0]}的；"
                     f"{elsewhere[0]}的政策请咨询当地人力资源和社会保障部门。")
            turn.say(s.prompt)
            return True
        if s.state == ASKING_REGION and u.region and s.topic and not u.topic_words and \
                f"region:{u.region}" not in (action for _, action in s.pending):
            turn.repeat = True
            name = self.kb.topics[s.topic].name
            turn.say(f"抱歉，我的资料里没有{u.region}的「{name}」政策，请咨询当地人力资源和社会保障部门。"
                     "也可以看看下面这些地区的：")
            turn.say(s.prompt)
            return True
        for label, action in s.pending:
            if s.state == ASKING_DISTRICT and u.place and action == f"district:{u.place}":
                self._act(turn, action)
                return True
            if s.state == ASKING_REGION and u.region and action == f"region:{u.region}":
                if u.place:
                    s.place = u.place
                self._act(turn, action)
                return True
        return False

    # ---- actions (buttons) -------------------------------------------------------------------
    def _act(self, turn: Turn, action: str) -> None:
        s = turn.session
        s.retries = 0
        kind, _, arg = action.partition(":")
        if kind == "topic":
            self._start_topic(turn, arg, s.aspect, check=s.check)
        elif kind == "policy":
            self._open_policy(turn, self.kb.policies[arg])
        elif kind == "region":
            self._chose_region(turn, arg)
        elif kind == "answer":
            number, _, option = arg.partition(":")
            s.answers[number] = option
            self._next_condition(turn)
        elif kind == "district":
            s.place = arg
            self._show_contact(turn, self._policy(s))
        elif kind == "aspect":
            self._follow_up(turn, arg)
        elif kind == "check":
            policy = self._policy(s)
            s.answers, s.prefilled = {}, {}
            if policy and self.kb.standing(policy, turn.today).ended:
                self._follow_up(turn, "validity")
            elif policy:
                self._begin_check(turn, policy)
        elif kind == "related":
            choices = [self.kb.policies[pid] for pid in s.related if pid in self.kb.policies][:6]
            s.state = CHOOSING
            turn.ask("同一话题还有这些政策，您想看哪一项？")
            s.pending = [[self._button(p), f"policy:{p.id}"] for p in choices]
        elif kind == "other":
            s.pending, s.state, s.aspect, s.check = [], IDLE, None, False
            turn.say("好的，请问还有什么想了解的？可以直接打字提问。")
            self._offer_topics(turn, limit=6)
        elif kind == "none":
            s.pending, s.state = [], FALLBACK
            turn.say("抱歉没能理解您的问题。请换个说法再问一次，比如“失业金怎么领”“见习补贴多少钱”。")
            self._offer_topics(turn, limit=6)
        else:
            self._command(turn, kind)

    def _command(self, turn: Turn, name: str) -> None:
        s = turn.session
        if name == "start":
            s.pending, s.state = [], ASKING_REGION
            s.topic = s.policy = None
            turn.say("您好！我是政策问答助手，可以帮您查询乌鲁木齐市、新疆维吾尔自治区、新疆兵团和兴安盟的"
                     "就业和社保政策：能领什么、是否符合条件、要带什么材料、去哪里办。",
                     "请先选择您所在的地区（也可以直接打字提问）：")
            s.pending = [[r.short, f"region:{r.name}"] for r in self.kb.regions.values()]
            s.pending.append(["其他地区", "region:other"])
        elif name == "greeting":
            turn.say("您好！我是政策问答助手，可以帮您查询就业和社保政策。请问您想了解什么？"
                     "可以直接打字提问，比如“失业金怎么领”，也可以点下面的话题：")
            self._offer_topics(turn, limit=6)
        elif name == "thanks":
            turn.say("不客气！还有其他问题随时问我。")
            if not s.pending:
                s.state = IDLE if not s.policy else ANSWERED
        elif name in ("help", "about_bot", "topics"):
            if name == "help":
                turn.say("使用方法：直接打字提问（例如“失业金一个月多少钱”“天山区社保分中心电话”），"
                         "或者点按钮回答我的问题；回复按钮前的序号也可以。",
                         "发送“返回”回到上一步，“重新开始”从头再来，“转人工”获取办理机构电话。")
                self._offer_topics(turn, limit=6)
                s.pending.append([TOPICS_LABEL, "topics"])
                return
            turn.say("我是政策问答助手，只根据政府公开的政策文件回答，不猜测。我能回答这些话题：")
            self._offer_topics(turn, limit=None)
        elif name == "region":
            s.topic = s.policy = None
            s.state = ASKING_REGION
            turn.ask("请选择您所在的地区：")
            s.pending = [[r.short, f"region:{r.name}"] for r in self.kb.regions.values()]
            s.pending.append(["其他地区", "region:other"])
        elif name == "human":
            self._human(turn)
        elif name == "restart":
            self._restart(turn)
        elif name == "go_back":
            self._back(turn)
        else:
            self._out_of_scope(turn, turn.understanding)

    # ---- topics and regions ------------------------------------------------------------------
    def _start_topic(self, turn: Turn, topic_id: str, aspect: str | None, check: bool) -> None:
        s = turn.session
        topic = self.kb.topics[topic_id]
        if topic_id != s.topic:
            s.answers, s.prefilled = {}, {}
        s.topic, s.policy, s.aspect, s.check = topic_id, None, aspect, check
        s.pending = []
        turn.intent = topic_id
        regions = self.kb.regions_for_topic(topic_id)
        if not regions:
            turn.say(f"抱歉，我的资料里暂时没有「{topic.name}」的具体政策。")
            self._human(turn)
            return
        if s.region and s.region not in regions:
            here = self.kb.regions[s.region].short if s.region in self.kb.regions else s.region
            turn.say(f"您咨询的是「{topic.name}」。我的资料里没有{here}的这项政策，"
                     f"只有以下地区的：{'、'.join(self.kb.regions[r].name for r in regions)}。")
            turn.ask("想看哪个地区的？（各地标准不同，请以当地规定为准）")
            self._ask_region(turn, regions, other=False)
            return
        if s.region is None and len(regions) > 1:
            turn.ask(f"您咨询的是「{topic.name}」。各地政策不同，请问您在哪里参保或办理？")
            self._ask_region(turn, regions, other=True)
            return
        self._with_region(turn, s.region or regions[0])

    def _ask_region(self, turn: Turn, regions: list[str], other: bool) -> None:
        s = turn.session
        s.state = ASKING_REGION
        s.pending = [[self.kb.regions[r].short, f"region:{r}"] for r in regions]
        if other:
            s.pending.append(["其他地区", "region:other"])
        else:
            s.pending.append([OTHER_LABEL, "other"])

    def _chose_region(self, turn: Turn, region: str) -> None:
        s = turn.session
        if region == "other":
            s.pending, s.state = [], FALLBACK
            turn.say("抱歉，我目前只有乌鲁木齐市、新疆维吾尔自治区、新疆生产建设兵团和兴安盟的政策资料，"
                     "其他地区的规定请咨询当地人力资源和社会保障部门（人社局）。")
            self._general_contacts(turn)
            s.pending = [[TOPICS_LABEL, "topics"], [RESTART_LABEL, "restart"]]
            return
        if region != s.region:
            s.place = None
        s.region = region
        if s.topic:
            self._start_topic(turn, s.topic, s.aspect, s.check)
            return
        s.state = IDLE
        turn.say(f"好的，已记住您在{region}。请直接打字提问，或者点一个话题：")
        self._offer_topics(turn, limit=8)

    def _with_region(self, turn: Turn, region: str) -> None:
        s = turn.session
        covered = {region, *self.kb.regions[region].covered_by} if region in self.kb.regions else {region}
        policies = [p for p in self.kb.policies_for_topic(s.topic) if p.region in covered]
        if not policies:
            self._start_topic(turn, s.topic, s.aspect, s.check)
            return
        ranked = sorted(policies, key=lambda p: self._rank(p, region, turn.today))
        # a title can only pick among the policies of the most specific region on offer
        named = self._best_by_words([p for p in ranked if p.region == ranked[0].region], s.context_text)
        if named is not None:
            # "一次性吸纳就业补贴" names one measure: answer that one, even if another is newer
            self._open_policy(turn, named, others=[p for p in ranked if p is not named])
            return
        current = [p for p in ranked if not self.kb.standing(p, turn.today).ended]
        siblings = [p for p in current if p.region == current[0].region] if current else []
        if len(siblings) > 1:
            best = self._best_by_words(siblings, s.context_text)
            if best is None:
                s.state = CHOOSING
                name = self.kb.topics[s.topic].name
                older = [p for p in ranked if p not in siblings][:5 - len(siblings)]
                turn.ask(f"{siblings[0].region}关于「{name}」有 {len(siblings)} 项政策，您想了解哪一项？"
                         + ("（后面几项已结束，仅供了解）" if older else ""))
                s.pending = [[self._button(p), f"policy:{p.id}"] for p in siblings + older]
                s.policy = None
                s.related = [p.id for p in siblings + older]
                return
            self._open_policy(turn, best, others=[p for p in ranked if p not in siblings])
            return
        self._open_policy(turn, ranked[0], others=ranked[1:])

    def _rank(self, p: Policy, region: str, today: date) -> tuple:
        """In force before draft before ended; the person's own region before its parent; newest first."""
        standing = self.kb.standing(p, today)
        doc = self.kb.sources[p.source]
        issued = doc.date.toordinal() if doc.date else date(doc.year or 1, 12, 31).toordinal()
        return (standing.ended, standing.draft, p.region != region, -issued, p.id)

    def _best_by_words(self, options: list[Policy], words: str) -> Policy | None:
        """The policy whose own title the person's words name ("绿色通道", "非公有制"), if exactly one.

        Only the words that set a title apart from its siblings count: the topic's own name and words
        such as 政策/补贴 say nothing about which measure is meant.
        """
        if not words or len(options) < 2:
            return None
        said = _bigrams(words.replace(" ", ""))
        common = _bigrams(self.clean(self.kb.topics[options[0].topic].name)) | _GENERIC_BIGRAMS
        titles = {p.id: _bigrams(self.clean(p.title)) for p in options}
        hits = []
        for p in options:
            others = set().union(*(t for pid, t in titles.items() if pid != p.id))
            hits.append((len((titles[p.id] - others - common) & said), p))
        hits.sort(key=lambda pair: -pair[0])
        if hits[0][0] >= 2 and hits[0][0] > hits[1][0]:
            return hits[0][1]
        return None

    @staticmethod
    def _button(p: Policy) -> str:
        return p.button

    # ---- answering one policy ----------------------------------------------------------------
    def _policy(self, s: Session) -> Policy | None:
        return self.kb.policies.get(s.policy) if s.policy else None

    def _open_policy(self, turn: Turn, policy: Policy, others: list[Policy] | None = None) -> None:
        s = turn.session
        if others is None:  # picked from a list: keep offering the ones not picked
            others = [self.kb.policies[pid] for pid in s.related if pid in self.kb.policies]
            if s.policy in self.kb.policies and self.kb.policies[s.policy] not in others:
                others.insert(0, self.kb.policies[s.policy])
        s.policy, s.topic = policy.id, policy.topic
        turn.intent = policy.topic
        turn.cite(render.cite(policy, self.kb))
        standing = self.kb.standing(policy, turn.today)
        notice = render.standing_notice(policy, self.kb, turn.today)
        turn.say(notice)
        turn.say(f"您咨询的是「{policy.title}」（{policy.region}）。")
        if s.check and policy.conditions and not standing.ended:
            self._begin_check(turn, policy)
            return
        related = [o for o in others or [] if o.id != policy.id]
        if related:
            turn.say("（另有" + "；".join(f"{o.region}的「{o.title}」，{self.kb.standing(o, turn.today).label}"
                                          for o in related[:2]) + ("等" if len(related) > 2 else "") + "。）")
        s.related = [o.id for o in related]
        if s.check and policy.conditions and not standing.ended:
            self._begin_check(turn, policy)
            return
        aspect = s.aspect
        if aspect == "contact":
            self._show_contact(turn, policy)
            return
        if aspect and aspect != "eligibility":
            turn.say(render.aspect_text(policy, aspect, self.kb, turn.today))
        elif s.check and policy.conditions and standing.ended:
            turn.say("该政策已经结束，不再核对申领条件。当时的规定如下：")
            turn.say(*render.overview(policy, self.kb, turn.today))
        else:
            turn.say(*render.overview(policy, self.kb, turn.today))
        turn.say(f"来源：{render.cite(policy, self.kb)}")
        self._offer_follow_ups(turn, policy, done=aspect)

    def _offer_follow_ups(self, turn: Turn, policy: Policy, done: str | None = None) -> None:
        s = turn.session
        s.state = ANSWERED
        s.pending = []
        if policy.conditions and not s.answers and not self.kb.standing(policy, turn.today).ended:
            s.pending.append(["核对申领条件", "check"])
        for label, action in FOLLOW_UPS:
            if action != f"aspect:{done}":
                s.pending.append([label, action])
        if any(pid != policy.id for pid in s.related):
            s.pending.append([RELATED_LABEL, "related"])
        s.pending.append([OTHER_LABEL, "other"])

    def _follow_up(self, turn: Turn, aspect: str) -> None:
        s = turn.session
        policy = self._policy(s)
        if policy is None:
            if s.topic:
                self._start_topic(turn, s.topic, aspect, check=aspect == "eligibility")
            else:
                self._out_of_scope(turn, turn.understanding)
            return
        turn.intent = policy.topic
        turn.cite(render.cite(policy, self.kb))
        if aspect == "contact":
            self._show_contact(turn, policy)
            return
        if aspect == "eligibility" and policy.conditions and not self.kb.standing(policy, turn.today).ended:
            s.answers, s.prefilled = {}, {}
            self._begin_check(turn, policy)
            return
        notice = render.standing_notice(policy, self.kb, turn.today)
        if notice and self.kb.standing(policy, turn.today).ended:
            turn.say(notice)
        turn.say(f"「{policy.title}」（{policy.region}）的{render.ASPECT_LABELS.get(aspect, '')}：")
        turn.say(render.aspect_text(policy, aspect, self.kb, turn.today))
        turn.say(f"来源：{render.cite(policy, self.kb)}")
        self._offer_follow_ups(turn, policy, done=aspect)

    # ---- eligibility check -------------------------------------------------------------------
    def _begin_check(self, turn: Turn, policy: Policy) -> None:
        s = turn.session
        s.check = True
        context = s.context_text.replace(" ", "")
        for number, cond in enumerate(policy.conditions, 1):
            key = str(number)
            if key in s.answers:
                continue
            for option, phrases in cond.cues:
                hit = next((found.group() for p in phrases if self.matcher.compact(p)
                            for found in [find_affirmed(phrase_pattern(self.matcher.compact(p)), context)]
                            if found), None)
                if hit:
                    s.answers[key] = option
                    s.prefilled[key] = hit
                    break
        turn.say("先帮您核对申领条件：")
        for key, phrase in s.prefilled.items():
            cond = policy.conditions[int(key) - 1]
            turn.say(f"（您提到“{phrase}”，所以“{cond.ask}”按“{s.answers[key]}”算；不对的话请发送“重新开始”。）")
        self._next_condition(turn)

    def _next_condition(self, turn: Turn) -> None:
        s = turn.session
        policy = self._policy(s)
        if policy is None:
            self._restart(turn)
            return
        to_ask = [n for n in range(1, len(policy.conditions) + 1) if str(n) not in s.prefilled]
        for position, number in enumerate(to_ask, 1):
            if str(number) not in s.answers:
                cond = policy.conditions[number - 1]
                s.state = CHECKING
                progress = f"（{position}/{len(to_ask)}）" if len(to_ask) > 1 else ""
                turn.ask(f"{progress}{cond.ask}")
                s.pending = [[option, f"answer:{number}:{option}"] for option in cond.options]
                return
        self._verdict(turn, policy)

    def _verdict(self, turn: Turn, policy: Policy) -> None:
        s = turn.session
        outcomes = [(cond, cond.outcome(s.answers.get(str(n), ""))) for n, cond in enumerate(policy.conditions, 1)]
        failed = [cond for cond, result in outcomes if result == "fail"]
        unsure = [cond for cond, result in outcomes if result == "unknown"]
        turn.say(render.standing_notice(policy, self.kb, turn.today))
        if failed:
            turn.say(f"根据您的回答，您暂时不符合「{policy.title}」的条件：")
            for cond in failed:
                turn.say(f"· {cond.fail}")
                if cond.remedy:
                    turn.say(f"  怎么办：{cond.remedy}")
            turn.say(f"来源：{render.cite(policy, self.kb)}")
            s.state = ANSWERED
            self._contact_or_text(turn, policy)
            s.pending = [["办理地点电话", "aspect:contact"], ["重新核对", "check"], [OTHER_LABEL, "other"]]
            return
        if unsure:
            turn.say("以下几项您还不确定，需要向办理机构确认：")
            turn.say(*(f"· {cond.ask}" for cond in unsure))
            turn.say("如果这些都符合，可以按下面的办法申请：")
        else:
            turn.say("您符合申领条件。")
        turn.say(*render.full_answer(policy, self.kb, turn.today))
        turn.say(f"来源：{render.cite(policy, self.kb)}")
        s.aspect = None
        self._show_contact(turn, policy, after_answer=True)

    # ---- contacts ----------------------------------------------------------------------------
    def _contact_or_text(self, turn: Turn, policy: Policy) -> None:
        if not policy.contacts:
            self._say_contact_text(turn, policy)

    def _say_contact_text(self, turn: Turn, policy: Policy) -> None:
        if policy.contact_text:
            turn.say(f"咨询：{policy.contact_text}")
        elif policy.channels_onsite:
            turn.say(f"办理地点：{'；'.join(policy.channels_onsite)}")
        else:
            turn.say("原文没有列出办理机构电话，请咨询当地人力资源和社会保障部门。")

    def _show_contact(self, turn: Turn, policy: Policy | None, after_answer: bool = False) -> None:
        s = turn.session
        if policy is None:
            self._human(turn)
            return
        s.policy = policy.id
        places = render.contact_places(policy, self.kb)
        if not policy.contacts:
            self._say_contact_text(turn, policy)
            self._offer_follow_ups(turn, policy, done="contact")
            return
        if places and s.place not in places:
            unit = "旗县市" if policy.region == "兴安盟" else "区（县）"
            turn.ask(f"需要办理地点和电话吗？请选择您所在的{unit}：")
            s.state = ASKING_DISTRICT
            s.pending = [[place, f"district:{place}"] for place in places]
            s.pending.append([OTHER_LABEL, "other"])
            return
        rows = render.contact_entries(policy, self.kb, s.place)
        if not after_answer:
            turn.say(f"「{policy.title}」的办理机构：")
        turn.say(*(render.entry_line(row) for row in rows))
        turn.cite(f"{render.cite(policy, self.kb)} 所附办理机构表")
        self._offer_follow_ups(turn, policy, done="contact")

    def _office_lookup(self, turn: Turn, u: Understanding) -> bool:
        """"天山区社保分中心电话": the office's address and phone as printed, and what it handles there."""
        s = turn.session
        text = u.normalized.replace(" ", "")
        kinds = [k for k in OFFICE_KINDS if k in text]
        if not kinds:
            return False
        policy = self._policy(s)
        found: dict[tuple, list[str]] = {}
        for table in self.kb.tables.values():
            for entry in table.entries:
                if not entry.office:
                    continue
                office = self.clean(entry.office).replace(" ", "")
                if office in text or (u.place and entry.place == u.place and any(k in office for k in kinds)):
                    users = self.table_users[table.id]
                    if policy and policy in users and s.state != IDLE:
                        # talking about one policy: its own table is the truth
                        s.place = entry.place or s.place
                        self._show_contact(turn, policy)
                        return True
                    key = (entry.office, entry.address, entry.phones)
                    found.setdefault(key, [])
                    found[key] += [p.title for p in users if p.title not in found[key]]
                    turn.cite(render.cite_table(table, self.kb))
        if not found:
            return False
        turn.intent = "contact"
        if len(found) > 1:
            turn.say("这个机构在不同政策的办理表里印的信息不完全一样，请按您要办的事选择：")
        for (office, address, phones), titles in found.items():
            line = render.entry_line(OfficeEntry(None, office, address, phones))
            served = "、".join(f"「{t}」" for t in titles[:3]) + ("等" if len(titles) > 3 else "")
            turn.say(f"· {line}" + (f"（办理{served}）" if served else ""))
        s.state = ANSWERED if s.policy else IDLE
        s.pending = [[TOPICS_LABEL, "topics"]] + ([[OTHER_LABEL, "other"]] if s.policy else [])
        return True

    def _general_contacts(self, turn: Turn) -> None:
        contacts = self.kb.general_contacts()
        mine = [c for c in contacts if c[0] == turn.session.region]
        for region, entry, table in mine or contacts:
            turn.say(f"{region}：{render.entry_line(entry)}")
            turn.cite(render.cite_table(table, self.kb))

    def _human(self, turn: Turn) -> None:
        s = turn.session
        turn.intent = "human"
        policy = self._policy(s)
        if policy and policy.contacts:
            turn.say("您可以直接联系办理机构的工作人员：")
            self._show_contact(turn, policy)
            return
        if policy:
            turn.say(f"关于「{policy.title}」：")
            self._say_contact_text(turn, policy)
        turn.say("我不能转接人工，但您可以直接联系这些咨询电话：")
        self._general_contacts(turn)
        if s.region not in {region for region, _, _ in self.kb.general_contacts()}:
            turn.say("新疆其他地州和兵团请咨询当地人力资源和社会保障部门。")
        s.state = ANSWERED if policy else FALLBACK
        s.pending = [[TOPICS_LABEL, "topics"], [RESTART_LABEL, "restart"]]

    # ---- clarification, fallback, restart, back -----------------------------------------------
    def _clarify(self, turn: Turn, u: Understanding) -> None:
        s = turn.session
        topics = [c.intent for c in u.candidates if c.intent in self.kb.topics][:2]
        if s.region:
            # of two close topics, only one may exist where the person is: then that is the one
            here = [t for t in topics if s.region in self.kb.regions_for_topic(t)]
            if len(here) == 1:
                s.context_text = u.normalized
                self._start_topic(turn, here[0], u.aspect, check=u.aspect == "eligibility")
                return
        s.state = CLARIFYING
        s.aspect, s.check = u.aspect, u.aspect == "eligibility"
        s.context_text = u.normalized
        turn.intent = None
        turn.ask("您想咨询的是：")
        s.pending = [[self.kb.topics[t].name, f"topic:{t}"] for t in topics] + [["都不是", "none"]]

    def _vague(self, turn: Turn, u: Understanding) -> None:
        """"补贴" / "社保" alone: list the topics it could mean rather than guess one."""
        s = turn.session
        words = [w for w in u.topic_words or u.tokens]
        ids = [t.id for t in self.kb.topics.values() if any(w in t.name or w in t.about for w in words)]
        if s.region:
            ids = [t for t in ids if s.region in self.kb.regions_for_topic(t)]
        s.state = CLARIFYING
        turn.intent = None
        if not ids:
            turn.say("您想了解哪方面的政策？可以说得具体一点，例如“失业金怎么领”，或者点下面的话题：")
            self._offer_topics(turn, limit=8)
            s.state = CLARIFYING
            return
        turn.ask(f"和“{'、'.join(words)}”有关的政策有这些，您想了解哪一项？")
        s.pending = [[self.kb.topics[t].name, f"topic:{t}"] for t in ids[:8]] + [["都不是", "none"]]

    def _not_understood(self, turn: Turn) -> None:
        s = turn.session
        s.retries += 1
        turn.repeat = True
        if s.retries == 1:
            turn.say("抱歉，我没有看懂您的回答。请点选下面的按钮，或者回复按钮前的序号：")
            turn.say(s.prompt)
            return
        turn.say("还是没能看懂。您可以直接联系办理机构问清楚：")
        policy = self._policy(s)
        if policy and policy.contacts and s.place:
            turn.say(*(render.entry_line(row) for row in render.contact_entries(policy, self.kb, s.place)))
        elif policy and not policy.contacts:
            self._say_contact_text(turn, policy)
        else:
            self._general_contacts(turn)
        turn.say("也可以继续点选：")
        turn.say(s.prompt)
        if not any(action == "restart" for _, action in s.pending):
            s.pending = s.pending + [[RESTART_LABEL, "restart"]]

    def _out_of_scope(self, turn: Turn, u: Understanding | None) -> None:
        s = turn.session
        s.state = FALLBACK
        s.pending = []
        turn.intent = None
        elsewhere = (u.entities.get("elsewhere") if u is not None else None) or []
        if elsewhere:
            turn.say(f"抱歉，我只有乌鲁木齐市、新疆维吾尔自治区、新疆兵团和兴安盟的政策资料，没有{elsewhere[0]}的。"
                     f"{elsewhere[0]}的政策请咨询当地人力资源和社会保障部门。")
        else:
            turn.say("抱歉，这个问题不在我的资料范围内，我不想乱猜。")
        turn.say("我能回答乌鲁木齐市、新疆维吾尔自治区、新疆兵团和兴安盟的就业和社保政策，例如："
                 + "、".join(self.kb.topics[t].name for t in FEATURED_TOPICS if t in self.kb.topics) + "。")
        turn.say("如需人工帮助，可以联系：")
        self._general_contacts(turn)
        if u is not None and _mostly_latin(u.original):
            turn.say(ENGLISH_HINT)
        s.pending = [[TOPICS_LABEL, "topics"], [HUMAN_LABEL, "human"]]

    def _empty(self, turn: Turn) -> None:
        s = turn.session
        turn.confidence = 0.0
        if s.pending:
            turn.repeat = True
            turn.say("您好像没有输入内容。请点选下面的按钮：")
            turn.say(s.prompt)
            return
        turn.say("您好像没有输入文字。请直接打字提问，例如“失业金怎么领”，或者点下面的话题：")
        self._offer_topics(turn, limit=6)

    def _restart(self, turn: Turn) -> None:
        s = turn.session
        history = s.history
        fresh = Session()
        fresh.history = history
        turn.session.__dict__.update(fresh.__dict__)
        turn.intent = "restart"
        turn.say("好的，已重新开始。请问您想咨询什么？可以直接打字，也可以点下面的话题：")
        self._offer_topics(turn, limit=6)

    def _back(self, turn: Turn) -> None:
        s = turn.session
        turn.intent = "go_back"
        if not s.history:
            turn.say("已经是第一步了。")
            turn.repeat = True
            if s.pending:
                turn.say(s.prompt)
            else:
                turn.say("请直接提问，或者点下面的话题：")
                self._offer_topics(turn, limit=6)
            return
        previous = s.history.pop()
        restored = Session.restore(previous, s.history)
        turn.session.__dict__.update(restored.__dict__)
        turn.say("好的，回到上一步：")
        turn.say(restored.prompt)
        turn.repeat = True

    def _offer_topics(self, turn: Turn, limit: int | None) -> None:
        s = turn.session
        ids = list(FEATURED_TOPICS) + [t for t in self.kb.topics if t not in FEATURED_TOPICS]
        if s.region:
            ids = [t for t in ids if s.region in self.kb.regions_for_topic(t)]
        if limit:
            ids = ids[:limit]
        s.pending = [[self.kb.topics[t].name, f"topic:{t}"] for t in ids]
        s.state = FALLBACK if s.state == FALLBACK else IDLE


_GENERIC_BIGRAMS = frozenset({"政策", "补贴", "实施", "继续", "关于", "进一步", "加大", "力度", "有关"})


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) > 0.7
