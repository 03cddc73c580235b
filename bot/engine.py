"""PolicyBot: the one engine API every channel and test talks to, and the only owner of session state.

Channels never read or write the session store: they call `handle` (or `take_turn` when they may need to
take the turn back) and, if the reply could not be delivered, `undo`.
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from .answers import build_planner
from .dialog.router import Dialog
from .dialog.session import Session, State
from .knowledge.kbcache import load_checked
from .knowledge.textcache import TextCache
from .nlu.lexicon import load_lexicon
from .nlu.matcher import Matcher, Understanding
from .nlu.normalize import safe_input
from .privacy import mask
from .reply import Reply
from .stores import MemoryStore, SessionStore, StoreError
from .stores.base import scrub_state

log = logging.getLogger("policybot")

STORE_DOWN_TEXT = "抱歉，系统暂时出了点问题（对话记录暂时无法读写），请稍后再发一次。您的问题没有丢失，稍后重发即可。"


@dataclass(frozen=True)
class TurnToken:
    """What `PolicyBot.undo` needs to take one turn back. Opaque to channels: keep it, pass it back."""

    session_id: str
    before: dict | None   # the stored session before the turn (None: there was none)
    after: dict           # the stored session the turn left


@dataclass(frozen=True)
class TurnResult:
    reply: Reply
    token: TurnToken | None              # None when nothing was stored (the store was down)
    understanding: Understanding | None  # the matcher's reading, when the message needed one
    session: Session | None              # the session after the turn (for the staff console's --debug)


@contextmanager
def _collector_paused():
    """No garbage collection while loading: loading leaves no reference cycles behind (a test checks: the
    collector would free nothing), yet it would rescan the growing heap dozens of times (×20: about a second)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class PolicyBot:
    def __init__(self, dialog: Dialog, store: SessionStore, today: Callable[[], date]):
        self.dialog = dialog
        self.store = store
        self._today = today

    @classmethod
    def load(cls, knowledge_dir: str | Path | None = None, intents_dir: str | Path | None = None,
             store: SessionStore | None = None, today: date | Callable[[], date] | None = None) -> "PolicyBot":
        """Load and check the knowledge base and the matcher; refuse to start on broken data."""
        with _collector_paused():
            return cls._load(knowledge_dir, intents_dir, store, today)

    @classmethod
    def _load(cls, knowledge_dir: str | Path | None, intents_dir: str | Path | None, store: SessionStore | None,
              today: date | Callable[[], date] | None) -> "PolicyBot":
        kb = load_checked(knowledge_dir and Path(knowledge_dir), intents_dir and Path(intents_dir))
        lexicon = load_lexicon(intents_dir and Path(intents_dir), tuple(kb.topics), kb.regions, kb.elsewhere,
                               kb.not_places)
        if today is None:
            clock: Callable[[], date] = date.today
        elif isinstance(today, date):
            clock = lambda: today  # noqa: E731 — a fixed day, for tests and --today
        else:
            clock = today
        work = TextCache()   # the data's texts as folded at an earlier start
        matcher = Matcher(lexicon, work=work)
        planner = build_planner(kb, matcher, intents_dir and Path(intents_dir), work)
        bot = cls(Dialog(kb, matcher, planner), store or MemoryStore(), clock)
        # the knowledge base and jieba's dictionary live as long as the process: keep the garbage
        # collector from rescanning ~1 million objects in the middle of a message
        gc.freeze()
        return bot

    @property
    def kb(self):
        return self.dialog.kb

    @property
    def matcher(self) -> Matcher:
        return self.dialog.matcher

    def matcher_examples(self) -> dict[str, tuple[str, ...]]:
        return self.dialog.matcher.examples_by_intent

    def today(self) -> date:
        return self._today()

    def handle(self, session_id: str, text: str) -> Reply:
        """The reply to one message of one conversation; the conversation is saved."""
        return self.take_turn(session_id, text).reply

    def take_turn(self, session_id: str, text: str, *, record_key: str | None = None,
                  fence: object = None) -> TurnResult:
        """`handle`, plus what a channel may need afterwards: a token for `undo` and the understanding.

        With `record_key` (a channel's outbox), the new session and a record of the turn (its reply and its
        token) are committed together, so that after a crash the channel sends the reply that was computed
        (`recorded_reply`) instead of answering the message again from a moved-on session. `fence` goes to the
        store (a Redis lock token): a turn whose lock expired meanwhile is not committed."""
        session_id, text = str(session_id), safe_input(text)  # any string; bounded work from here on
        try:
            before = self.store.get(session_id)
        except StoreError as exc:
            log.error("session store unavailable (read, session %s): %s", session_id, exc)
            return TurnResult(Reply(text=STORE_DOWN_TEXT, state=State.ERROR.value), None, None, None)
        matcher = self.dialog.matcher   # what the matcher remembers spans one message (bot/nlu/memo.py)
        matcher.recent.clear()
        matcher.normalize.recent.clear()
        session, reply, understanding = self.dialog.respond(Session.from_json(before), text, self.today())
        after = session.to_json()
        token = TurnToken(session_id, before, scrub_state(after))  # `after` as the store keeps it (masked)
        try:
            if record_key is None:
                self.store.put(session_id, after)
            else:
                record = {"reply": reply.to_json(), "before": before, "after": token.after}
                self.store.commit(session_id, after, record_key, record, fence)
        except StoreError as exc:
            log.error("session store unavailable (write, session %s): %s", session_id, exc)
            return TurnResult(Reply(text=STORE_DOWN_TEXT, state=State.ERROR.value), None, understanding, None)
        log.info("session=%s text=%r intent=%s state=%s policy=%s confidence=%.2f", session_id,
                 mask(text[:200] if isinstance(text, str) else ""), reply.intent, reply.state, reply.policy,
                 reply.confidence)
        return TurnResult(reply, token, understanding, session)

    def undo(self, session_id: str, token: TurnToken | None) -> bool:
        """Take back the turn `token` came from, e.g. when its reply could not be delivered, so that the
        person's resent message answers the same question again.

        Only when the conversation is still where that turn left it (a later turn is never overwritten).
        True when the turn was taken back; False when there was nothing to undo, a later turn had already
        moved the conversation on, or the store failed (logged).
        """
        session_id = str(session_id)
        if token is None or token.session_id != session_id:
            return False
        try:
            if self.store.get(session_id) != token.after:
                return False
            if token.before is None:
                self.store.delete(session_id)
            else:
                self.store.put(session_id, token.before)
        except StoreError as exc:
            log.warning("could not take back a turn of session %s: %s", session_id, exc)
            return False
        return True

    # -- the outbox of a channel that must answer each update exactly once (see `take_turn(record_key=…)`)

    def recorded_reply(self, record_key: str) -> Reply | None:
        """The reply committed for this record key, if that turn was committed (raises StoreError)."""
        record = self.store.get_record(record_key)
        return Reply(**record["reply"]) if record else None

    def undo_recorded(self, session_id: str, record_key: str) -> bool:
        """`undo` for a recorded turn whose reply could not be delivered."""
        try:
            record = self.store.get_record(record_key)
        except StoreError as exc:
            log.warning("could not take back a turn of session %s: %s", session_id, exc)
            return False
        if record is None:
            return False
        return self.undo(session_id, TurnToken(str(session_id), record["before"], record["after"]))

    def purge_expired(self) -> int:
        """Delete expired sessions now (channels call this on a schedule; raises StoreError)."""
        return self.store.purge_expired()
