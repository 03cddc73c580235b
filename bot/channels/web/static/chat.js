// The citizen chat: bubbles, option chips, folded citations. The conversation survives a reload: session id
// and transcript live in sessionStorage (kept on reload, gone with the tab: right for shared computers).
// Every text is put in the page with textContent, never as HTML.
(function () {
  "use strict";
  var KEY_SESSION = "policybot.session", KEY_LOG = "policybot.transcript", MAX_KEPT = 60;
  var log = document.getElementById("log"), form = document.getElementById("ask");
  var input = document.getElementById("text"), sendButton = document.getElementById("send");
  var busy = false;

  function newSession() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load(key, fallback) {
    try { var v = window.sessionStorage.getItem(key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: no memory */ }
  }

  var session = load(KEY_SESSION, null) || newSession();
  save(KEY_SESSION, session);
  var transcript = load(KEY_LOG, []);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // phone numbers become tap-to-call links and never break across lines
  var PHONE = /(0\d{2,3}-\d{7,8}|1[3-9]\d{9})/;
  function paragraph(line) {
    var p = el("p");
    line.split(PHONE).forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = el("a", "tel", part);
        a.href = "tel:" + part.replace(/-/g, "");
        p.appendChild(a);
      } else if (part) {
        p.appendChild(document.createTextNode(part));
      }
    });
    return p;
  }

  function render(entry, isLast) {
    var bubble = el("div", "msg " + entry.who);
    if (entry.who === "bot" && entry.status_label && entry.status !== "in_force") {
      bubble.appendChild(el("span", "badge " + entry.status, entry.status_label));
    }
    // citation lines move into a fold under the answer, with the reply's sources; the answer stays in view
    var cites = [];
    entry.text.split("\n").forEach(function (line) {
      if (entry.who === "bot" && line.indexOf("来源：") === 0) cites.push(line.slice(3));
      else bubble.appendChild(paragraph(line));
    });
    (entry.sources || []).forEach(function (s) { if (cites.indexOf(s) < 0) cites.push(s); });
    if (cites.length) {
      var details = el("details", "cite");
      details.appendChild(el("summary", null, "来源（" + cites.length + "）"));
      cites.forEach(function (s) { details.appendChild(el("p", null, s)); });
      bubble.appendChild(details);
    }
    log.appendChild(bubble);
    if (entry.options && entry.options.length && isLast) {
      var chips = el("div", "chips");
      chips.setAttribute("role", "group");
      chips.setAttribute("aria-label", "可选的回答");
      entry.options.forEach(function (option) {
        var chip = el("button", "chip", option);
        chip.type = "button";
        chip.addEventListener("click", function () { send(option); });
        chips.appendChild(chip);
      });
      log.appendChild(chips);
    }
  }

  function redraw() {
    Array.prototype.slice.call(log.querySelectorAll(".msg:not(.intro), .chips")).forEach(function (n) { n.remove(); });
    transcript.forEach(function (entry, i) { render(entry, i === transcript.length - 1); });
    log.scrollTop = log.scrollHeight;
    var last = log.lastElementChild;
    if (last && last.scrollIntoView) last.scrollIntoView({block: "end"});
  }

  function remember(entry) {
    transcript.push(entry);
    transcript = transcript.slice(-MAX_KEPT);
    save(KEY_LOG, transcript);
    redraw();
  }

  function send(text) {
    text = (text || "").trim();
    if (!text || busy) return;
    busy = true;
    sendButton.disabled = true;
    remember({who: "user", text: text});
    var request = new XMLHttpRequest();
    request.open("POST", "api/message");
    request.setRequestHeader("Content-Type", "application/json");
    request.timeout = 20000;
    request.onloadend = function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      if (request.status === 200 && data) {
        remember({who: "bot", text: data.text, options: data.options, sources: data.sources,
                  status: data.policy_status, status_label: data.policy_status_label});
      } else {
        remember({who: "system", text: (data && data.error) || "网络不太好，消息没有发出去，请稍后再试。"});
      }
      busy = false;
      sendButton.disabled = false;
      input.focus();
    };
    request.send(JSON.stringify({session: session, text: text}));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  document.getElementById("restart").addEventListener("click", function () {
    session = newSession();
    save(KEY_SESSION, session);
    transcript = [];
    save(KEY_LOG, transcript);
    redraw();
    input.focus();
  });
  redraw();
})();
