/* Grapevine referral widget. Dependency-free; no cookies.
 *
 * <script src="https://grapevine.example/widget.js"
 *         data-key="pk_..."                 publishable key (allowed origins only)
 *         data-customer-token="v1...."      signed by your server for the signed-in customer (optional)
 *         data-consent="true"               may the referral be kept in this site's storage?
 *         data-target="#referral"></script> where to show the customer's link (optional)
 *
 * Referee side: `ref` and `gv_click` from the landing URL are kept in localStorage only when
 * data-consent="true"; otherwise they stay in the URL for your checkout to carry.
 * Grapevine.referral() returns { ref, gv_click } from the URL or storage (or null).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var api = new URL(script.src).origin;
  var data = script.dataset;
  var consent = data.consent === "true";
  var STORE = "grapevine_referral";

  function fromUrl() {
    var p = new URLSearchParams(window.location.search);
    var ref = p.get("ref"), click = p.get("gv_click");
    return ref || click ? { ref: ref, gv_click: click } : null;
  }
  function stored() {
    try { var v = window.localStorage.getItem(STORE); return v ? JSON.parse(v) : null; } catch (e) { return null; }
  }
  var landed = fromUrl();
  if (landed && consent) {
    try { window.localStorage.setItem(STORE, JSON.stringify({ ref: landed.ref, gv_click: landed.gv_click, at: Date.now() })); } catch (e) { /* storage refused */ }
  }

  function q(params) {
    return Object.keys(params).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  var auth = { key: data.key || "", token: data.customerToken || "" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function render(root, me) {
    root.textContent = "";
    var box = el("div", { "class": "gv-widget", style: "font-family:system-ui;border:1px solid #ddd;border-radius:8px;padding:12px;max-width:360px" });
    box.appendChild(el("strong", {}, me.campaign.name));
    if (me.campaign.shareText) box.appendChild(el("p", { id: "gv-share-text" }, me.campaign.shareText));
    var link = el("input", { id: "gv-link", readonly: "readonly", value: me.link.url, style: "width:100%" });
    box.appendChild(link);
    box.appendChild(el("p", {}, "Your code: ")).appendChild(el("code", { id: "gv-code" }, me.link.code));
    var copy = el("button", { id: "gv-copy", type: "button" }, "Copy link");
    copy.onclick = function () {
      link.select();
      if (navigator.clipboard) navigator.clipboard.writeText(me.link.url); else document.execCommand("copy");
      copy.textContent = "Copied";
    };
    box.appendChild(copy);
    if (navigator.share) {
      var share = el("button", { id: "gv-share", type: "button" }, "Share");
      share.onclick = function () { navigator.share({ title: me.campaign.name, text: me.campaign.shareText, url: me.link.url }); };
      box.appendChild(share);
    }
    box.appendChild(el("img", { id: "gv-qr", alt: "QR code of your link", src: me.link.qrUrl, width: "128", height: "128" }));
    box.appendChild(el("p", { id: "gv-stats" }, me.stats.clicks + " clicks · " + me.stats.referrals + " friends referred"));
    var form = el("form", { id: "gv-invite" });
    var to = el("input", { id: "gv-invite-emails", type: "text", placeholder: "friend@example.com, …" });
    form.appendChild(to);
    form.appendChild(el("button", { type: "submit" }, "Invite"));
    var result = el("span", { id: "gv-invite-result" });
    form.appendChild(result);
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var emails = to.value.split(/[\s,;]+/).filter(Boolean);
      fetch(api + "/widget/v1/invites?" + q(auth), { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ emails: emails }) })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (r) { result.textContent = r.ok ? "Invited " + r.body.sent.length : why(r.body, "Could not send"); })
        .catch(function () { result.textContent = "Could not send"; });
    };
    box.appendChild(form);
    root.appendChild(box);
  }

  /* An error answer is { "error": { "code", "message", "fields" } }. */
  function why(body, fallback) {
    return (body && body.error && body.error.message) || fallback;
  }

  function fail(root, message) {
    root.textContent = "";
    root.appendChild(el("p", { id: "gv-error", style: "color:#a00" }, message));
  }

  window.Grapevine = {
    referral: function () { return fromUrl() || stored(); },
    consent: consent,
    /* Call when the signed-in customer (the one data-customer-token names) has just signed up. */
    trackLead: function (email) {
      var r = fromUrl() || stored();
      if (!r || !auth.key || !auth.token) return Promise.resolve({ attributed: false });
      return fetch(api + "/widget/v1/lead?" + q(auth), { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ ref: r.ref, gv_click: r.gv_click, email: email }) })
        .then(function (res) { return res.json(); });
    }
  };

  var root = data.target ? document.querySelector(data.target) : null;
  if (!root || !auth.key || !auth.token) return;
  fetch(api + "/widget/v1/me?" + q(auth))
    .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
    .then(function (r) { if (r.ok) render(root, r.body); else fail(root, why(r.body, "Could not load your referral link")); })
    .catch(function () { fail(root, "Could not load your referral link"); });
})();
