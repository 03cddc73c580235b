"""The public API and the staff pages over real HTTP (uvicorn on loopback, httpx as the client)."""
from __future__ import annotations

import asyncio
import json
import re

import httpx

from web_helpers import PASSWORD

CONVERSATION = ["我被公司裁员了，能领失业金吗", "乌鲁木齐市", "核对申领条件", "是", "已办理", "天山区"]


def say(client, url, text, session="citizen-0001"):
    return client.post(url + "/api/message", json={"session": session, "text": text})


def login(client, url, password=PASSWORD):
    page = client.get(url + "/staff/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(url + "/staff/login", data={"csrf": token, "password": password})


def page_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_whole_conversation_reaches_the_district_phone(live, client):
    server = live()
    replies = [say(client, server.url, text) for text in CONVERSATION]
    assert [r.status_code for r in replies] == [200] * len(CONVERSATION)
    first, region = replies[0].json(), replies[1].json()
    assert first["intent"] == "unemployment_benefit" and "乌鲁木齐市" in first["options"]
    assert region["policy"] == "urumqi.unemployment_benefit" and region["policy_status"] == "in_force"
    assert "1530元/月" in region["text"] and region["sources"]
    assert "天山区" in replies[-2].json()["options"]
    last = replies[-1].json()
    assert "0991-2337209" in last["text"] and "天山区社保分中心" in last["text"]
    assert set(last) >= {"text", "options", "state", "intent", "policy", "confidence", "sources"}


def test_bad_requests_get_a_chinese_4xx_and_the_server_keeps_answering(live, client):
    server = live()
    api = server.url + "/api/message"
    bad_json = client.post(api, content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400 and "JSON" in bad_json.json()["error"]
    not_object = client.post(api, json=["text"])
    assert not_object.status_code == 400
    no_session = client.post(api, json={"text": "失业金怎么领"})
    assert no_session.status_code == 422 and "session" in no_session.json()["error"]
    no_text = client.post(api, json={"session": "citizen-0002"})
    assert no_text.status_code == 422 and "text" in no_text.json()["error"]
    odd_session = client.post(api, json={"session": "../../etc/passwd", "text": "你好"})
    assert odd_session.status_code == 422
    huge = client.post(api, content=json.dumps({"session": "citizen-0003", "text": "失" * 20000}).encode())
    assert huge.status_code == 413 and "太长" in huge.json()["error"]
    not_utf8 = client.post(api, content=b'{"session": "citizen-0004", "text": "\xff\xfe"}')
    assert not_utf8.status_code == 400
    assert client.get(api).status_code == 405
    assert say(client, server.url, "失业金怎么领", "citizen-0005").status_code == 200


def test_reply_text_is_not_html_and_page_uses_text_nodes(live, client):
    server = live()
    reply = say(client, server.url, "<script>alert(1)</script>失业金怎么领")
    assert reply.headers["content-type"].startswith("application/json")
    page = client.get(server.url + "/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = client.get(server.url + "/static/chat.js").text
    assert "innerHTML" not in script and "textContent" in script


def test_rate_limit_per_session_and_per_address(live, client):
    server = live(session_limit=3, address_limit=7)
    codes = [say(client, server.url, "失业金怎么领", "citizen-rate1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = say(client, server.url, "失业金怎么领", "citizen-rate1").json()
    assert "稍等" in limited["error"]
    others = [say(client, server.url, "你好", f"citizen-rate-{i}").status_code for i in range(3)]
    assert others == [200, 200, 429]  # 5 of the address's 7 were used above (refused ones count)


def test_out_of_scope_and_none_of_these_are_recorded_masked_without_session(live, client):
    server = live()
    say(client, server.url, "我的手机13912345678能查公积金余额吗", "citizen-miss1")
    say(client, server.url, "补贴", "citizen-miss2")
    say(client, server.url, "都不是", "citizen-miss2")
    say(client, server.url, "补贴", "citizen-miss3")
    say(client, server.url, "失业金怎么领", "citizen-miss3")   # walked away from the clarification
    kept = server.unanswered.since(0)
    assert [q.kind for q in kept] == ["out_of_scope", "none_of_these", "walked_away"]
    assert "13912345678" not in kept[0].text and "139****5678" in kept[0].text
    assert kept[1].text == "补贴" and kept[1].candidates
    assert not any("citizen" in q.to_json() for q in kept)


def test_staff_console_off_without_password(live, client):
    server = live(staff_password=None)
    assert client.get(server.url + "/staff/").status_code == 404
    assert "POLICYBOT_STAFF_PASSWORD" in client.get(server.url + "/staff/login").text


def test_staff_pages_refused_without_login(live, client):
    server = live()
    for path in ("/staff/", "/staff/knowledge", "/staff/dialogs", "/staff/unanswered"):
        response = client.get(server.url + path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    posted = client.post(server.url + "/staff/api/message", json={"text": "失业金"})
    assert posted.status_code == 401
    assert login(client, server.url, "wrong").status_code == 401
    assert client.get(server.url + "/staff/", follow_redirects=False).status_code == 303


def test_staff_forms_need_the_csrf_token(live, client):
    server = live()
    assert login(client, server.url).headers["location"] == "/staff/"
    token = page_token(client.get(server.url + "/staff/").text)
    no_header = client.post(server.url + "/staff/api/message", json={"text": "失业金怎么领"})
    assert no_header.status_code == 403
    forged = client.post(server.url + "/staff/unanswered/example", data={"intent": "out_of_scope", "text": "x"})
    assert forged.status_code == 403
    ok = client.post(server.url + "/staff/api/message", json={"text": "失业金怎么领", "day": "2026-11-22"},
                     headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.json()["reply"]["intent"] == "unemployment_benefit"
    logout = client.post(server.url + "/staff/logout", data={"csrf": token}, follow_redirects=False)
    assert logout.status_code == 303
    assert client.get(server.url + "/staff/", follow_redirects=False).status_code == 303


def test_staff_console_only_from_loopback_unless_allowed(live):
    server = live()
    app = server.app

    async def get(address):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.example") as c:
            return (await c.get("/staff/login")).status_code, (await c.get("/")).status_code

    assert asyncio.run(get("203.0.113.9")) == (403, 200)
    assert asyncio.run(get("127.0.0.1")) == (200, 200)
    server.app.state.web.config.staff_remote = True
    assert asyncio.run(get("203.0.113.9")) == (200, 200)


def test_debug_panel_shows_intent_scores_and_the_highlighted_source(live, client):
    server = live()
    login(client, server.url)
    token = page_token(client.get(server.url + "/staff/").text)
    data = client.post(server.url + "/staff/api/message", headers={"X-CSRF-Token": token},
                       json={"text": "乌鲁木齐失业金一个月多少钱", "day": "2026-11-22"}).json()
    html = data["debug_html"]
    assert "规范化文本" in html and "分词" in html and "失业保险金申领" in html
    cited = re.search(r'<mark id="cited">(.*?)</mark>', html, re.S).group(1)
    assert cited.startswith("三、申领失业保险金") and "1530元/月" in cited


def test_today_picker_moves_the_clock_for_staff_only(live, client):
    server = live()
    login(client, server.url)
    token = page_token(client.get(server.url + "/staff/").text)

    def ask(day):
        return client.post(server.url + "/staff/api/message", headers={"X-CSRF-Token": token},
                           json={"text": "乌鲁木齐阶段性降低失业保险费率还有吗", "day": day}).json()["reply"]

    assert ask("2024-06-01")["policy_status"] == "in_force"
    assert ask("2026-11-22")["policy_status"] == "ended"


def test_dialog_runner_and_knowledge_pages(live, client):
    server = live()
    login(client, server.url)
    token = page_token(client.get(server.url + "/staff/").text)
    run = client.post(server.url + "/staff/dialogs", data={"csrf": token, "keyword": "失业金"})
    assert run.status_code == 200 and "✓" in run.text and re.search(r"共 \d+ 个对话", run.text)
    kb = client.get(server.url + "/staff/knowledge").text
    assert "urumqi.unemployment_benefit" in kb and "0991-2337209" in kb and "已结束" in kb


def test_clerk_saves_an_unanswered_question_as_an_example(live, client, tmp_path):
    import shutil

    from bot.knowledge import DEFAULT_INTENTS_DIR

    intents = tmp_path / "intents"
    shutil.copytree(DEFAULT_INTENTS_DIR, intents)
    server = live(intents_dir=intents)
    say(client, server.url, "宠物狗怎么办证", "citizen-save1")
    login(client, server.url)
    report = client.get(server.url + "/staff/unanswered?days=1").text
    assert "宠物狗怎么办证" in report
    token = re.search(r'name="csrf" value="([^"]+)"', report).group(1)
    saved = client.post(server.url + "/staff/unanswered/example",
                        data={"csrf": token, "intent": "out_of_scope", "text": "宠物狗怎么办证", "days": "1"})
    assert saved.status_code == 303
    assert "检查通过" in client.get(server.url + saved.headers["location"]).text
    assert "    - 宠物狗怎么办证" in (intents / "examples.yaml").read_text(encoding="utf-8")


def test_another_channel_shares_the_server_with_its_routes_and_start_stop(loaded_bot):
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from bot.channels.web import create_app
    from bot.stores.unanswered import MemoryUnanswered

    events: list[str] = []

    async def started():
        events.append("start")

    async def stopped():
        events.append("stop")

    async def hook(request):
        return PlainTextResponse("received")

    app = create_app(loaded_bot, MemoryUnanswered(), extra_routes=[Route("/telegram/hook", hook, methods=["POST"])],
                     on_startup=[started], on_shutdown=[stopped])

    async def run():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
                assert (await c.post("/telegram/hook")).text == "received"
                assert (await c.get("/")).status_code == 200
            events.append("served")

    asyncio.run(run())
    assert events == ["start", "served", "stop"]
