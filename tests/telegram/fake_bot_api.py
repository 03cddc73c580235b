"""A small Telegram Bot API server for tests, on the standard library only.

Serves /bot<TOKEN>/<method> on 127.0.0.1 (ephemeral port) with the methods the adapter uses, long-polling
getUpdates with Telegram's offset semantics, and records what the bot sends. Tests inject updates
(`inject_message`, `inject_update`) and failures (`fail_next_send(n, 500)` or `fail_next_send(n, 429)`).
Requests may be form-encoded (python-telegram-bot via httpx) or JSON.
"""
from __future__ import annotations

import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "政策问答助手", "username": "policy_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

# form-encoded parameters whose values are JSON (python-telegram-bot JSON-encodes every non-string value)
_JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "scope", "link_preview_options", "entities",
                "reply_parameters"}
_INT_PARAMS = {"chat_id", "offset", "limit", "timeout", "message_id", "max_connections"}
_BOOL_PARAMS = {"drop_pending_updates", "disable_notification", "protect_content"}
_ALLOWED_TAGS = r"/?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|span|tg-spoiler|blockquote)(\s[^>]*)?"


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        return json.loads(value)
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.lower() == "true"
    return value


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def parse_html(text: str) -> str:
    """What Telegram shows for an HTML-mode text; ApiError 400 where Telegram would refuse to parse it."""
    for m in re.finditer(r"<([^>]*)>?", text):
        if not re.fullmatch(_ALLOWED_TAGS, m.group(1)) or not m.group(0).endswith(">"):
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag at byte offset "
                                f"{m.start()}")
    for m in re.finditer(r"&", text):
        if not re.match(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", text[m.start():]):
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped & at byte offset {m.start()}")
    return html.unescape(re.sub(r"<[^>]*>", "", text))


@dataclass
class Sent:
    message_id: int
    chat_id: int
    text: str                    # as the user sees it (HTML parsed)
    raw: str                     # as sent
    parse_mode: str | None
    reply_markup: dict | None
    at: float = field(default_factory=time.monotonic)

    @property
    def buttons(self) -> list[str]:
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))


class FakeBotAPI:
    def __init__(self, token: str):
        self.token = token
        self._cond = threading.Condition()
        self._updates: list[dict] = []
        self._next_update_id = 100_000
        self._next_message_id = 1
        self._send_failures: list[tuple[int, dict]] = []
        self._call_failures: dict[str, list[int]] = {}
        self.send_delay = 0.0              # seconds each sendMessage takes (a slower Telegram)
        self._freeze_at: int | None = None  # the sendMessage number that freezes all sending
        self.frozen = False
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict]] = []
        self.failures_served: list[int] = []
        self.commands: list[dict] | None = None
        self.webhook: dict = {"url": ""}
        self._closing = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle
    def start(self) -> "FakeBotAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                api._http(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-bot-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------- test controls
    def make_message_update(self, chat_id: int, text: str, user_id: int | None = None,
                            update_id: int | None = None, chat_type: str = "private") -> dict:
        with self._cond:
            if update_id is None:
                update_id = self._next_update_id
                self._next_update_id += 1
            message_id = self._next_message_id
            self._next_message_id += 1
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "测试用户", "language_code": "zh-hans"}
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "测试用户"} if chat_type == "private" else {"title": "测试群"})
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user,
                                   "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def inject_update(self, update: dict) -> int:
        with self._cond:
            self._updates.append(update)
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            self._cond.notify_all()
        return update["update_id"]

    def inject_message(self, chat_id: int, text: str, user_id: int | None = None) -> dict:
        update = self.make_message_update(chat_id, text, user_id)
        self.inject_update(update)
        return update

    def fail_next_send(self, n: int, status: int = 500, retry_after: int = 1) -> None:
        """The next n sendMessage calls fail: HTTP 500, or 429 with retry_after."""
        if status == 429:
            body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after}}
        else:
            body = {"ok": False, "error_code": status, "description": "Internal Server Error"}
        with self._cond:
            self._send_failures.extend([(status, body)] * n)

    def fail_next_call(self, method: str, n: int, status: int = 500) -> None:
        """The next n calls of `method` (e.g. "getMe") fail with HTTP `status`."""
        with self._cond:
            self._call_failures.setdefault(method.lower(), []).extend([status] * n)

    def freeze_at_send(self, n: int) -> None:
        """From the n-th sendMessage on, sends hang (unrecorded) until `unfreeze()`, then fail: a crash can
        be simulated while no delivery is half done (Telegram has it, the bot does not know)."""
        with self._cond:
            self._freeze_at = n

    def unfreeze(self) -> None:
        with self._cond:
            self._freeze_at = None
            self.frozen = False
            self._cond.notify_all()

    def pending_updates(self) -> int:
        with self._cond:
            return len(self._updates)

    def messages_to(self, chat_id: int) -> list[Sent]:
        with self._cond:
            return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[dict]:
        with self._cond:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
                self._cond.wait(min(left, 0.05))

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Sent]:
        self.wait_for(lambda: len([m for m in self.sent if m.chat_id == chat_id]) >= count, timeout,
                      f"{count} messages to chat {chat_id}")
        return self.messages_to(chat_id)

    # ------------------------------------------------------------- HTTP
    def _http(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        url = urlsplit(req.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
        if not match:
            return self._respond(req, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if match.group(1) != self.token:
            return self._respond(req, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        params: dict[str, Any] = dict(parse_qsl(url.query))
        ctype = req.headers.get("Content-Type", "")
        if body:
            if ctype.startswith("application/json"):
                params.update(json.loads(body))
            else:
                params.update(parse_qsl(body.decode(), keep_blank_values=True))
        params = {k: _coerce(k, v) for k, v in params.items()}
        method = match.group(2).lower()
        with self._cond:
            self.calls.append((match.group(2), params))
            self._cond.notify_all()
        with self._cond:
            failures = self._call_failures.get(method)
            status = failures.pop(0) if failures else None
        if status is not None:
            return self._respond(req, status, {"ok": False, "error_code": status,
                                               "description": "Unauthorized" if status == 401 else "Bad Gateway"})
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._respond(req, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        try:
            result = handler(params)
        except ApiError as exc:
            payload = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            return self._respond(req, exc.status, payload)
        self._respond(req, 200, {"ok": True, "result": result})

    @staticmethod
    def _respond(req: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. a cancelled long poll)
            pass

    # ------------------------------------------------------------- methods
    def _m_getme(self, params):
        return BOT_USER

    def _m_getupdates(self, params):
        offset, limit = params.get("offset"), min(int(params.get("limit") or 100), 100)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self.webhook["url"]:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            while True:
                if offset is not None:
                    if offset < 0:  # -N: the last N updates
                        self._updates = self._updates[offset:]
                    else:  # everything below offset is confirmed and forgotten
                        self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._closing:
                    return list(self._updates[:limit])
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._cond.wait(min(left, 0.5))

    def _check_chat(self, params) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _hold_if_frozen(self) -> None:
        with self._cond:
            sends = len(self.calls_of_locked("sendMessage"))
            if self._freeze_at is not None and sends >= self._freeze_at:
                self.frozen = True
                self._cond.notify_all()
            if not self.frozen:
                return
            while self.frozen:
                self._cond.wait(0.05)
        raise ApiError(500, "Internal Server Error")  # the sender is gone; nothing is delivered

    def calls_of_locked(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def _m_sendmessage(self, params):
        chat_id = self._check_chat(params)
        self._hold_if_frozen()
        if self.send_delay:
            time.sleep(self.send_delay)
        with self._cond:
            if self._send_failures:
                status, body = self._send_failures.pop(0)
                self.failures_served.append(status)
                raise ApiError(status, body["description"], body.get("parameters"))
        raw = params.get("text") or ""
        parse_mode = params.get("parse_mode")
        text = parse_html(raw) if (parse_mode or "").upper() == "HTML" else raw
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        with self._cond:
            message_id = self._next_message_id
            self._next_message_id += 1
            self.sent.append(Sent(message_id, chat_id, text, raw, parse_mode, params.get("reply_markup")))
            self._cond.notify_all()
        return {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "text": text}

    def _m_sendchataction(self, params):
        self._check_chat(params)
        return True

    def _m_setmycommands(self, params):
        self.commands = params.get("commands")
        return True

    def _m_getmycommands(self, params):
        return self.commands or []

    def _m_deletewebhook(self, params):
        with self._cond:
            self.webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _m_setwebhook(self, params):
        with self._cond:
            self.webhook = {"url": params.get("url") or "", "secret_token": params.get("secret_token"),
                            "allowed_updates": params.get("allowed_updates")}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _m_getwebhookinfo(self, params):
        with self._cond:
            return {"url": self.webhook["url"], "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}

    def _m_editmessagereplymarkup(self, params):
        return True

    def _m_answercallbackquery(self, params):
        return True

    def _m_close(self, params):
        return True

    def _m_logout(self, params):
        return True
