"""Keeps the bot token and the webhook secret out of every log record.

A `Redactor` holds the secrets (no module-level state): installed, it filters the root logger's handlers
and wraps the log-record factory, so records of every logger — httpx's "HTTP Request: POST
https://…/bot<TOKEN>/…" lines, tracebacks of library exceptions — are cleaned before any handler sees them;
`uninstall()` puts everything back."""
from __future__ import annotations

import logging

REDACTED = "[REDACTED]"


class Redactor(logging.Filter):
    def __init__(self, *secrets: str | None):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)
        self._previous_factory = None
        self._factory = None

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _dirty(self, text: str | None) -> bool:
        return bool(text) and any(secret in text for secret in self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's problem, not ours
            message = str(record.msg)
        if self._dirty(message):
            record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if self._dirty(text):
                record.exc_text = self.redact(text)
        if self._dirty(record.stack_info):
            record.stack_info = self.redact(record.stack_info)
        return True

    def install(self) -> "Redactor":
        """Filter every record from now on; hold httpx at WARNING and python-telegram-bot at INFO (their
        DEBUG records carry request URLs and whole message texts: a transcript)."""
        if not self.secrets or self._previous_factory is not None:
            return self
        previous = self._previous_factory = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            self.filter(record)
            return record

        self._factory = factory
        logging.setLogRecordFactory(factory)
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
        tg_logger = logging.getLogger("telegram")
        if tg_logger.level < logging.INFO:
            tg_logger.setLevel(logging.INFO)
        return self

    def uninstall(self) -> None:
        previous = self._previous_factory
        if previous is None:
            return
        self._previous_factory = None
        if logging.getLogRecordFactory() is self._factory:  # another redactor installed later stays chained
            logging.setLogRecordFactory(previous)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self)
