"""PolicyBot: the one engine API every channel and test talks to."""
from __future__ import annotations

import gc
import logging
from datetime import date
from pathlib import Path
from typing import Callable

from .dialog.machine import Dialog
from .dialog.reply import Reply
from .dialog.session import ERROR, Session
from .knowledge import load_knowledge_strict
from .nlu.lexicon import load_lexicon
from .nlu.matcher import Matcher
from .privacy import mask
from .stores import MemoryStore, SessionStore, StoreError

log = logging.getLogger("policybot")

STORE_DOWN_TEXT = "抱歉，系统暂时出了点问题（对话记录暂时无法读写），请稍后再发一次。您的问题没有丢失，稍后重发即可。"


class PolicyBot:
    def __init__(self, dialog: Dialog, store: SessionStore, today: Callable[[], date]):
        self.dialog = dialog
        self.store = store
        self._today = today

    @classmethod
    def load(cls, knowledge_dir: str | Path | None = None, intents_dir: str | Path | None = None,
             store: SessionStore | None = None, today: date | Callable[[], date] | None = None) -> "PolicyBot":
        """Load and check the knowledge base and the matcher; refuse to start on broken data."""
        kb = load_knowledge_strict(knowledge_dir and Path(knowledge_dir), intents_dir and Path(intents_dir))
        lexicon = load_lexicon(intents_dir and Path(intents_dir), tuple(kb.topics), kb.regions, kb.elsewhere)
        if today is None:
            clock: Callable[[], date] = date.today
        elif isinstance(today, date):
            clock = lambda: today  # noqa: E731 — a fixed day, for tests and --today
        else:
            clock = today
        bot = cls(Dialog(kb, Matcher(lexicon)), store or MemoryStore(), clock)
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
        session_id = str(session_id)
        try:
            session = Session.from_json(self.store.get(session_id))
        except StoreError as exc:
            log.error("session store unavailable (read, session %s): %s", session_id, exc)
            return Reply(text=STORE_DOWN_TEXT, state=ERROR)
        reply = self.dialog.respond(session, text, self.today())
        try:
            self.store.put(session_id, session.to_json())
        except StoreError as exc:
            log.error("session store unavailable (write, session %s): %s", session_id, exc)
            return Reply(text=STORE_DOWN_TEXT, state=ERROR)
        log.info("session=%s text=%r intent=%s state=%s policy=%s confidence=%.2f", session_id,
                 mask(text[:200] if isinstance(text, str) else ""), reply.intent, reply.state, reply.policy,
                 reply.confidence)
        return reply

    def reset(self, session_id: str) -> None:
        try:
            self.store.delete(str(session_id))
        except StoreError as exc:
            log.error("session store unavailable (delete, session %s): %s", session_id, exc)
