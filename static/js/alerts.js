// ChiHuy live urgent alerts: listen on the server's event stream, show a banner and beep.
// Loaded as a file with the CSP nonce; no inline script, no eval. Styles are set through the
// CSSOM (allowed by the Content-Security-Policy, unlike style attributes in the markup).
(function () {
  "use strict";
  var root = document.getElementById("alert-live");
  if (!root || !window.EventSource) return;

  var labels = {
    title: root.dataset.labelTitle || "BÁO KHẨN",
    ack: root.dataset.labelAck || "Xác nhận",
    open: root.dataset.labelOpen || "Xem",
    sound: root.dataset.labelSound || "Bật âm thanh",
    acked: root.dataset.labelAcked || "Đã xác nhận",
    failed: root.dataset.labelFailed || "Lỗi"
  };
  var banners = {}; // alert id -> element
  var audio = null;
  var repeatTimer = null;

  function css(el, styles) {
    Object.keys(styles).forEach(function (k) { el.style[k] = styles[k]; });
    return el;
  }

  css(root, {
    position: "fixed", top: "0.5rem", right: "0.5rem", zIndex: "10000", maxWidth: "30rem",
    display: "flex", flexDirection: "column", gap: "0.5rem"
  });

  // --- sound -------------------------------------------------------------------------------
  function audioContext() {
    if (!audio) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      try { audio = new Ctx(); } catch (e) { return null; }
    }
    return audio;
  }
  // Browsers allow sound only after a user gesture: unlock on the first click or key.
  function unlock() {
    var ctx = audioContext();
    if (ctx && ctx.state === "suspended") ctx.resume().catch(function () {});
  }
  document.addEventListener("click", unlock, { capture: true });
  document.addEventListener("keydown", unlock, { capture: true });

  function beep() {
    var ctx = audioContext();
    if (!ctx) return false;
    if (ctx.state === "suspended") {
      ctx.resume().catch(function () {});
      if (ctx.state === "suspended") return false;
    }
    var t = ctx.currentTime;
    [0, 0.35, 0.7].forEach(function (offset) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.setValueAtTime(offset === 0.35 ? 660 : 880, t + offset);
      gain.gain.setValueAtTime(0.0001, t + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, t + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.28);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + offset);
      osc.stop(t + offset + 0.3);
    });
    return true;
  }

  function soundButtons(show) {
    Object.keys(banners).forEach(function (id) {
      var b = banners[id].querySelector("[data-alert-sound]");
      if (b) b.hidden = !show;
    });
  }

  function ring() {
    var ok = beep();
    soundButtons(!ok);
  }

  function keepRinging() {
    if (repeatTimer) return;
    repeatTimer = window.setInterval(function () {
      if (Object.keys(banners).length === 0) {
        window.clearInterval(repeatTimer);
        repeatTimer = null;
        return;
      }
      ring();
    }, 30000);
  }

  // --- banner ------------------------------------------------------------------------------
  function button(text, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    css(b, {
      marginRight: "0.5rem", padding: "0.35rem 0.8rem", borderRadius: "4px", cursor: "pointer",
      border: "1px solid #fff", fontWeight: "bold",
      background: primary ? "#fff" : "transparent", color: primary ? "#b71c1c" : "#fff"
    });
    return b;
  }

  function show(event) {
    var id = String(event.alert);
    var el = banners[id];
    var isNew = !el;
    if (isNew) {
      el = document.createElement("div");
      el.className = "alert-banner";
      el.setAttribute("data-alert-banner", id);
      css(el, {
        background: "#b71c1c", color: "#fff", padding: "0.75rem 1rem", borderRadius: "6px",
        boxShadow: "0 4px 16px rgba(0,0,0,.35)", fontSize: "1rem", lineHeight: "1.4"
      });
      var title = document.createElement("strong");
      title.setAttribute("data-alert-title", "");
      var body = document.createElement("div");
      body.setAttribute("data-alert-body", "");
      var meta = document.createElement("div");
      meta.setAttribute("data-alert-meta", "");
      css(meta, { fontSize: "0.85rem", opacity: "0.9", margin: "0.25rem 0 0.5rem" });
      var actions = document.createElement("div");
      var ack = button(labels.ack, true);
      ack.setAttribute("data-alert-ack", id);
      ack.addEventListener("click", function () { acknowledge(id, ack); });
      var open = document.createElement("a");
      open.textContent = labels.open;
      open.setAttribute("data-alert-open", "");
      css(open, { color: "#fff", marginRight: "0.5rem" });
      var sound = button(labels.sound, false);
      sound.setAttribute("data-alert-sound", "");
      sound.hidden = true;
      sound.addEventListener("click", function () { unlock(); window.setTimeout(ring, 50); });
      actions.append(ack, open, sound);
      el.append(title, body, meta, actions);
      root.prepend(el);
      banners[id] = el;
    }
    el.querySelector("[data-alert-title]").textContent =
      labels.title + " · " + event.record + " · " + event.category;
    el.querySelector("[data-alert-body]").textContent = event.reason + (event.content ? " – " + event.content : "");
    el.querySelector("[data-alert-meta]").textContent = event.centre + " · " + event.step + " · " +
      new Date(event.fired_at).toLocaleTimeString("vi-VN", { hour12: false });
    el.querySelector("[data-alert-open]").href = event.url || root.dataset.inboxUrl;
    root.hidden = false;
    ring();
    keepRinging();
  }

  function dismiss(id) {
    var el = banners[id];
    if (!el) return;
    delete banners[id];
    el.remove();
    if (Object.keys(banners).length === 0) root.hidden = true;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function acknowledge(id, btn) {
    btn.disabled = true;
    var url = root.dataset.ackUrl.replace(/\/0\/acknowledge$/, "/" + encodeURIComponent(id) + "/acknowledge");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) {
      if (!r.ok && r.status !== 409) throw new Error(String(r.status));
      btn.textContent = labels.acked;
      window.setTimeout(function () { dismiss(id); }, 800);
      document.dispatchEvent(new CustomEvent("chihuy:alert-acknowledged", { detail: { alert: id } }));
    }).catch(function () {
      btn.disabled = false;
      btn.textContent = labels.failed;
    });
  }

  // --- stream ------------------------------------------------------------------------------
  // EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed. It opens a
  // moment after the page has loaded, so the page first settles ("network idle" for tools and
  // for the browser's own loading indicator); the stream's backlog replays any alert still
  // waiting, so nothing that arrived meanwhile is lost.
  var source = null;
  function connect() {
    if (source) return;
    source = new EventSource(root.dataset.streamUrl);
    source.addEventListener("alert", function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (data.status === "acknowledged") return;
      show(data);
    });
    source.addEventListener("acknowledged", function (msg) {
      try { dismiss(String(JSON.parse(msg.data).alert)); } catch (e) { /* ignore */ }
    });
    source.addEventListener("open", function () { root.setAttribute("data-alert-stream", "open"); });
  }
  root.setAttribute("data-alert-stream", "waiting");
  function later() { window.setTimeout(connect, 1200); }
  if (document.readyState === "complete") later(); else window.addEventListener("load", later);
  window.addEventListener("pagehide", function () { if (source) source.close(); });
})();
