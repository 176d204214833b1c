/**
 * The interactive API docs at GET /api/v1/docs: one HTML page, its script and its style sheet,
 * all served by the API itself (nothing from a CDN, nothing downloaded at run time). The script
 * reads ./openapi.json, lists every operation by tag and lets one "try it" with fetch, with the
 * session cookie of this origin or a Bearer token. No inline script or style, so the API's
 * Content-Security-Policy of the docs page (lib/security-headers.ts: script-src and style-src 'self') holds.
 *
 * The script is kept free of backticks and `${` so it can live in a String.raw literal.
 */

export const docsPage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>民生实事 API 文档 · API reference</title>
<link rel="stylesheet" href="docs/app.css">
</head>
<body>
<header>
  <h1>民生实事 API <small id="version"></small></h1>
  <p class="sub">接口文档 · API reference — <a href="openapi.json">openapi.json</a> (OpenAPI 3.1)</p>
  <section class="auth" aria-label="登录 Sign-in">
    <span id="who" class="who">…</span>
    <form id="login" class="login" hidden>
      <input name="username" autocomplete="username" placeholder="用户名 username" required>
      <input name="password" type="password" autocomplete="current-password" placeholder="密码 password" required>
      <button type="submit">登录 Sign in</button>
    </form>
    <button id="logout" type="button" hidden>退出 Sign out</button>
    <label class="token">Bearer token <input id="token" autocomplete="off" spellcheck="false" placeholder="(可选 optional)"></label>
  </section>
  <input id="filter" type="search" placeholder="筛选 Filter: path, summary, permission…" aria-label="filter">
</header>
<main id="ops"><p>加载中 · loading…</p></main>
<noscript><p>此页需要 JavaScript · This page needs JavaScript; the raw document is at <a href="openapi.json">openapi.json</a>.</p></noscript>
<script src="docs/app.js" defer></script>
</body>
</html>
`;

export const docsStyle = String.raw`
:root { --fg: #1d2330; --muted: #5f6b7a; --line: #dde2ea; --bg: #f6f8fb; --accent: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid var(--line); padding: 12px 20px; }
h1 { margin: 0; font-size: 20px; }
h1 small { font-weight: normal; color: var(--muted); font-size: 13px; }
h2 { margin: 24px 0 8px; font-size: 16px; }
.sub { margin: 2px 0 8px; color: var(--muted); }
.auth { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.auth input { width: 140px; }
.token input { width: 260px; }
.who { font-weight: 600; }
input, select, textarea, button { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
button.plain { background: #fff; color: var(--fg); border-color: var(--line); }
#filter { width: 100%; max-width: 480px; }
main { padding: 4px 20px 40px; max-width: 1100px; }
details.op { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.op > summary { cursor: pointer; padding: 8px 10px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.method { display: inline-block; min-width: 60px; text-align: center; border-radius: 4px; color: #fff; font-weight: 700; font-size: 12px; padding: 1px 6px; }
.m-get { background: #2f6fb0; } .m-post { background: #2e8540; } .m-patch { background: #b7791f; } .m-put { background: #7b4fb0; } .m-delete { background: #b3261e; }
.path { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 600; }
.perm { margin-left: auto; color: var(--muted); font-size: 12px; }
.body { padding: 0 12px 12px; border-top: 1px solid var(--line); }
.body p { margin: 8px 0; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
td input, td select { width: 100%; }
textarea { width: 100%; min-height: 140px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #0f1720; color: #e6edf3; padding: 10px; border-radius: 4px; overflow: auto; max-height: 480px; font-size: 12px; margin: 6px 0; }
.status-ok { color: #2e8540; font-weight: 700; } .status-err { color: var(--accent); font-weight: 700; }
.muted { color: var(--muted); }
.req { color: var(--accent); }
.hidden { display: none; }
`;

export const docsScript = String.raw`(function () {
  "use strict";
  var spec = null;
  var base = "";
  var byId = function (id) { return document.getElementById(id); };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === "text") node.textContent = props[k];
      else if (k === "className") node.className = props[k];
      else if (k === "on") for (var ev in props.on) node.addEventListener(ev, props.on[ev]);
      else node.setAttribute(k, props[k]);
    }
    (children || []).forEach(function (c) { if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function deref(s) {
    var guard = 0;
    while (s && s.$ref && guard++ < 20) s = spec.components.schemas[s.$ref.split("/").pop()];
    return s || {};
  }

  function mainType(s) {
    if (Array.isArray(s.type)) return s.type.filter(function (t) { return t !== "null"; })[0];
    return s.type;
  }

  /** A value that fits the schema, for prefilling a body. */
  function example(s, depth) {
    s = deref(s);
    if (depth > 8) return null;
    if (s.examples && s.examples.length) return s.examples[0];
    if ("default" in s) return s["default"];
    if ("const" in s) return s["const"];
    if (s["enum"]) return s["enum"][0];
    var alt = s.anyOf || s.oneOf;
    if (alt) return example(alt[0], depth + 1);
    if (s.allOf) return example(s.allOf[0], depth + 1);
    switch (mainType(s)) {
      case "object": {
        var out = {};
        var props = s.properties || {};
        var req = s.required || [];
        Object.keys(props).forEach(function (k) { if (req.indexOf(k) >= 0) out[k] = example(props[k], depth + 1); });
        return out;
      }
      case "array": return s.minItems ? [example(s.items || {}, depth + 1)] : [];
      case "integer": case "number":
        if (typeof s.minimum === "number") return s.minimum;
        if (typeof s.exclusiveMinimum === "number") return s.exclusiveMinimum + 1;
        return 0;
      case "boolean": return false;
      case "null": return null;
      case "string": return "";
      default: return null;
    }
  }

  function describe(s) {
    s = deref(s);
    var parts = [];
    var t = Array.isArray(s.type) ? s.type.join(" | ") : (s.type || (s.anyOf ? "one of" : "any"));
    parts.push(t);
    if (s["enum"]) parts.push("enum: " + s["enum"].join(", "));
    if (s.pattern) parts.push("pattern: " + s.pattern);
    if (s.minLength != null || s.maxLength != null) parts.push("length " + (s.minLength || 0) + "–" + (s.maxLength != null ? s.maxLength : "∞"));
    if (s.minimum != null) parts.push("≥ " + s.minimum);
    if (s.exclusiveMinimum != null) parts.push("> " + s.exclusiveMinimum);
    if (s.maximum != null && s.maximum < 9007199254740991) parts.push("≤ " + s.maximum);
    if (s["default"] !== undefined) parts.push("default " + JSON.stringify(s["default"]));
    return parts.join("; ");
  }

  function authHeaders() {
    var token = byId("token").value.trim();
    return token ? { authorization: "Bearer " + token } : {};
  }

  function refreshWho() {
    fetch(base + "/auth/me", { credentials: "same-origin", headers: authHeaders() })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) {
        byId("who").textContent = me ? "已登录 · " + me.displayName + " (" + me.username + ", " + me.roleLabel + (me.region ? ", " + me.region : "") + ")" : "未登录 · not signed in";
        byId("login").hidden = !!me;
        byId("logout").hidden = !me || me.via !== "session";
      })
      .catch(function () { byId("who").textContent = "?"; });
  }

  function show(out, res, ms, text) {
    out.textContent = "";
    var ok = res.status < 400;
    out.appendChild(el("div", {}, [
      el("span", { className: ok ? "status-ok" : "status-err", text: res.status + " " + res.statusText }),
      el("span", { className: "muted", text: " · " + ms + " ms · " + (res.headers.get("content-type") || "") }),
    ]));
    var body = text;
    if ((res.headers.get("content-type") || "").indexOf("json") >= 0) {
      try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* keep the text */ }
    }
    out.appendChild(el("pre", { text: body.length > 200000 ? body.slice(0, 200000) + "\n… (" + body.length + " characters)" : body }));
  }

  function send(path, method, op, inputs, bodyArea, fileInput, out) {
    var url = path;
    var query = new URLSearchParams();
    var missing = [];
    inputs.forEach(function (i) {
      var v = i.control.value.trim();
      if (!v) { if (i.param.required) missing.push(i.param.name); return; }
      if (i.param["in"] === "path") url = url.split("{" + i.param.name + "}").join(encodeURIComponent(v));
      else if (i.param["in"] === "query") query.append(i.param.name, v);
    });
    if (missing.length) { out.textContent = "缺少必填参数 · missing: " + missing.join(", "); return; }
    var init = { method: method.toUpperCase(), credentials: "same-origin", headers: authHeaders() };
    if (fileInput) {
      if (!fileInput.files || !fileInput.files[0]) { out.textContent = "请选择文件 · choose a file"; return; }
      var form = new FormData();
      form.append(fileInput.name, fileInput.files[0]);
      init.body = form;
    } else if (bodyArea) {
      try { JSON.parse(bodyArea.value); } catch (e) { out.textContent = "请求体不是合法 JSON · body is not valid JSON: " + e.message; return; }
      init.body = bodyArea.value;
      init.headers["content-type"] = "application/json";
    }
    var qs = query.toString();
    var started = Date.now();
    out.textContent = "…";
    fetch(base + url + (qs ? "?" + qs : ""), init)
      .then(function (res) { return res.text().then(function (text) { show(out, res, Date.now() - started, text); }); })
      .then(function () { if (op.tags && op.tags[0] === "auth") refreshWho(); })
      .catch(function (e) { out.textContent = "请求失败 · request failed: " + e.message; });
  }

  function paragraphs(text) {
    return (text || "").split(/\n\n+/).map(function (p) { return el("p", { text: p.replace(/\*\*/g, "") }); });
  }

  function operationView(path, method, op) {
    var inputs = [];
    var rows = (op.parameters || []).map(function (p) {
      var s = deref(p.schema);
      var control;
      if (s["enum"]) {
        control = el("select", {}, [el("option", { value: "", text: "" })].concat(s["enum"].map(function (v) { return el("option", { value: String(v), text: String(v) }); })));
      } else {
        control = el("input", { placeholder: describe(s), spellcheck: "false" });
      }
      // the example of a parameter, or of its schema (operations declared with defineOperation)
      var ex = p.example !== undefined ? p.example : s.example;
      if (ex !== undefined) control.value = String(ex);
      inputs.push({ param: p, control: control });
      return el("tr", {}, [
        el("td", {}, [el("code", { text: p.name }), p.required ? el("span", { className: "req", text: " *" }) : null]),
        el("td", { text: p["in"] }),
        el("td", { className: "muted", text: (p.description ? p.description + " — " : "") + describe(s) }),
        el("td", {}, [control]),
      ]);
    });
    var bodyArea = null;
    var bodyBlock = null;
    var media = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    var upload = op.requestBody && op.requestBody.content && op.requestBody.content["multipart/form-data"];
    var fileInput = null;
    if (upload) {
      var field = Object.keys(deref(upload.schema).properties || { file: 1 })[0];
      fileInput = el("input", { type: "file", name: field });
      bodyBlock = el("div", {}, [el("h4", { text: "上传文件 · File (multipart/form-data, field " + field + ")" }), fileInput]);
    } else if (media) {
      var value = media.example !== undefined ? media.example : example(media.schema, 0);
      bodyArea = el("textarea", { spellcheck: "false" });
      bodyArea.value = JSON.stringify(value, null, 2);
      bodyBlock = el("div", {}, [
        el("h4", { text: "请求体 · Request body (application/json)" }),
        bodyArea,
        el("details", {}, [el("summary", { text: "结构 · schema" }), el("pre", { text: JSON.stringify(media.schema, null, 2) })]),
      ]);
    }
    var responses = Object.keys(op.responses || {}).map(function (status) {
      var r = op.responses[status];
      var content = r.content || {};
      var type = Object.keys(content)[0];
      var schema = type && content[type].schema;
      var resolved = schema && schema.$ref ? deref(schema) : schema;
      return el("li", {}, [
        el("code", { text: status }), " " + r.description + (type ? " — " + type : ""),
        resolved && status.charAt(0) === "2" ? el("details", {}, [el("summary", { text: "结构 · schema" }), el("pre", { text: JSON.stringify(resolved, null, 2) })]) : null,
      ]);
    });
    var out = el("div", { className: "out" });
    var button = el("button", { type: "button", text: "发送 · Send", on: { click: function () { send(path, method, op, inputs, bodyArea, fileInput, out); } } });
    var body = el("div", { className: "body" }, paragraphs(op.description).concat([
      rows.length ? el("table", {}, [el("thead", {}, [el("tr", {}, ["参数 name", "位置 in", "说明 schema", "值 value"].map(function (h) { return el("th", { text: h }); }))]), el("tbody", {}, rows)]) : null,
      bodyBlock,
      el("h4", { text: "响应 · Responses" }),
      el("ul", {}, responses),
      button,
      out,
    ]));
    var perm = op["x-permission"] || "";
    var details = el("details", { className: "op", id: op.operationId }, [
      el("summary", {}, [
        el("span", { className: "method m-" + method, text: method.toUpperCase() }),
        el("span", { className: "path", text: path }),
        el("span", { text: op.summary || "" }),
        el("span", { className: "perm", text: perm }),
      ]),
      body,
    ]);
    details.setAttribute("data-search", [method, path, op.summary, perm, op.operationId].join(" ").toLowerCase());
    return details;
  }

  function render() {
    var main = byId("ops");
    main.textContent = "";
    byId("version").textContent = "v" + spec.info.version;
    var groups = {};
    Object.keys(spec.paths).forEach(function (path) {
      var item = spec.paths[path];
      ["get", "post", "put", "patch", "delete"].forEach(function (m) {
        if (!item[m]) return;
        var tag = (item[m].tags && item[m].tags[0]) || "other";
        (groups[tag] = groups[tag] || []).push(operationView(path, m, item[m]));
      });
    });
    var order = (spec.tags || []).map(function (t) { return t.name; });
    Object.keys(groups).forEach(function (t) { if (order.indexOf(t) < 0) order.push(t); });
    order.forEach(function (name) {
      if (!groups[name]) return;
      var tag = (spec.tags || []).filter(function (t) { return t.name === name; })[0];
      var section = el("section", { className: "tag", "data-tag": name }, [el("h2", { text: (tag && tag.description) || name })].concat(groups[name]));
      main.appendChild(section);
    });
    if (location.hash) { var target = byId(location.hash.slice(1)); if (target) target.open = true; }
  }

  byId("filter").addEventListener("input", function (e) {
    var q = e.target.value.trim().toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("details.op"), function (d) {
      d.classList.toggle("hidden", !!q && d.getAttribute("data-search").indexOf(q) < 0);
    });
    Array.prototype.forEach.call(document.querySelectorAll("section.tag"), function (s) {
      s.classList.toggle("hidden", !s.querySelector("details.op:not(.hidden)"));
    });
  });
  byId("login").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    fetch(base + "/auth/login", {
      method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: f.username.value, password: f.password.value }),
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { alert((b.error && b.error.message) || r.status); });
      f.password.value = "";
      return r.json().then(function (b) {
        // two-factor sign-in: step 2 with the authenticator code (enrolment happens in the console)
        if (b.ok !== false) return refreshWho();
        if (b.next !== "totp") return alert("请先在管理端登录并绑定身份验证器 · enrol two-factor sign-in in the console (/admin/) first");
        var code = prompt("动态验证码 · authenticator code (6 digits)");
        if (!code) return;
        return fetch(base + "/auth/login/totp", {
          method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
          body: JSON.stringify({ challenge: b.challenge, code: code.trim() }),
        }).then(function (r2) {
          if (!r2.ok) return r2.json().then(function (e2) { alert((e2.error && e2.error.message) || r2.status); });
          refreshWho();
        });
      });
    });
  });
  byId("logout").addEventListener("click", function () {
    fetch(base + "/auth/logout", { method: "POST", credentials: "same-origin" }).then(refreshWho);
  });
  byId("token").addEventListener("change", refreshWho);

  fetch("openapi.json", { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (doc) {
      spec = doc;
      base = (doc.servers && doc.servers[0] && doc.servers[0].url) || "";
      render();
      refreshWho();
    })
    .catch(function (e) { byId("ops").textContent = "无法加载 openapi.json · could not load the document: " + e.message; });
})();
`;
