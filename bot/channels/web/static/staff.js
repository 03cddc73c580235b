// The staff console's chat: send with the CSRF token and the chosen day; show the reply and the
// server-rendered (already escaped) debug panel; scroll the highlighted source passage into view.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var log = document.getElementById("log"), form = document.getElementById("ask");
  var input = document.getElementById("text"), day = document.getElementById("day");
  var debug = document.getElementById("debug"), sendButton = document.getElementById("send");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function bubble(who, text, reply) {
    var b = el("div", "msg " + who);
    if (reply && reply.policy_status_label) b.appendChild(el("span", "badge", reply.policy_status_label));
    text.split("\n").forEach(function (line) { b.appendChild(el("p", null, line)); });
    log.appendChild(b);
    Array.prototype.slice.call(log.querySelectorAll(".chips")).forEach(function (n) { n.remove(); });
    if (reply && reply.options && reply.options.length) {
      var chips = el("div", "chips");
      reply.options.forEach(function (o) {
        var c = el("button", "chip", o);
        c.type = "button";
        c.addEventListener("click", function () { send(o); });
        chips.appendChild(c);
      });
      log.appendChild(chips);
    }
    log.scrollTop = log.scrollHeight;
  }
  function send(text) {
    text = (text || "").trim();
    if (!text) return;
    bubble("user", text);
    sendButton.disabled = true;
    fetch("/staff/api/message", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({text: text, day: day.value})})
      .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, data: d}; }); })
      .then(function (res) {
        if (!res.ok) { bubble("system", res.data.error || "出错了"); return; }
        bubble("bot", res.data.reply.text, res.data.reply);
        debug.innerHTML = res.data.debug_html;  // rendered by the server's autoescaping template
        var cited = document.getElementById("cited");
        if (cited) cited.parentNode.scrollTop = cited.offsetTop - 8;  // the <pre> is the mark's offsetParent
        debug.scrollTop = 0;
      })
      .catch(function () { bubble("system", "网络出错，请重试。"); })
      .then(function () { sendButton.disabled = false; input.focus(); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); var t = input.value; input.value = ""; send(t); });
})();
