// Communities: markdown preview, @mention and [[item]] autocomplete, post-type fields.
// Everything degrades: without JS the forms still post; a missing endpoint shows nothing.
(function () {
  "use strict";

  function gettext(s) { return window.gettext ? window.gettext(s) : s; }

  // --- Preview: an htmx button posting the textarea to the preview view --------------------------
  var previewCount = 0;
  function setupPreview(textarea) {
    var form = textarea.closest("form");
    var url = form && form.dataset.previewUrl;
    if (!url || textarea.dataset.previewReady || !window.htmx) return;
    textarea.dataset.previewReady = "1";
    if (!textarea.id) textarea.id = "md-input-" + (++previewCount);
    var out = document.createElement("div");
    out.className = "preview-out";
    out.id = textarea.id + "-preview";
    out.setAttribute("aria-live", "polite");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "preview-button";
    button.textContent = gettext("Preview");
    button.setAttribute("hx-post", url);
    button.setAttribute("hx-include", "#" + textarea.id);
    button.setAttribute("hx-target", "#" + out.id);
    button.setAttribute("hx-swap", "innerHTML");
    button.setAttribute("aria-controls", out.id);
    textarea.insertAdjacentElement("afterend", out);
    textarea.insertAdjacentElement("afterend", button);
    window.htmx.process(button);
  }

  // --- Autocomplete (@person, [[item]]) ------------------------------------------------------------
  var box = null, active = null;
  function closeBox() {
    if (active) {
      active.textarea.setAttribute("aria-expanded", "false");
      active.textarea.removeAttribute("aria-activedescendant");
    }
    if (box) { box.remove(); box = null; }
    active = null;
  }

  function trigger(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var m = before.match(/(^|[\s(])@([\w.+-]{1,40})$/);
    if (m) return { kind: "mention", query: m[2], start: before.length - m[2].length - 1 };
    m = before.match(/\[\[([^\[\]\n]{1,60})$/);
    if (m) return { kind: "item", query: m[1], start: before.length - m[1].length - 2 };
    return null;
  }

  function insert(textarea, t, text) {
    var value = textarea.value;
    var end = textarea.selectionStart;
    textarea.value = value.slice(0, t.start) + text + value.slice(end);
    var caret = t.start + text.length;
    textarea.setSelectionRange(caret, caret);
    textarea.focus();
    closeBox();
  }

  function showOptions(textarea, t, html) {
    closeBox();
    var tmp = document.createElement("div");
    tmp.innerHTML = html;
    var options = [];
    if (t.kind === "mention") {
      tmp.querySelectorAll("[data-handle]").forEach(function (el) {
        options.push({ label: el.textContent.trim(), value: "@" + el.dataset.handle + " " });
      });
    } else {
      tmp.querySelectorAll("[data-slug], a[href*='/repository/items/']").forEach(function (el) {
        var slug = el.dataset.slug;
        if (!slug && el.getAttribute("href")) {
          var m = el.getAttribute("href").match(/\/repository\/items\/([^/]+)\//);
          slug = m && m[1];
        }
        if (slug) options.push({ label: el.textContent.trim(), value: "[[" + slug + "]]" });
      });
    }
    if (!options.length) return;
    box = document.createElement("ul");
    box.className = "autocomplete";
    box.id = "ac-box";
    box.setAttribute("role", "listbox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", "ac-box");
    textarea.setAttribute("aria-expanded", "true");
    options.slice(0, 8).forEach(function (opt, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "ac-opt-" + i;
      li.textContent = opt.label;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); insert(textarea, t, opt.value); });
      li.dataset.value = opt.value;
      box.appendChild(li);
    });
    textarea.insertAdjacentElement("afterend", box);
    active = { textarea: textarea, t: t, index: 0 };
    mark();
  }

  function mark() {
    if (!box || !active) return;
    box.querySelectorAll("li").forEach(function (li, i) { li.setAttribute("aria-selected", i === active.index ? "true" : "false"); });
    active.textarea.setAttribute("aria-activedescendant", "ac-opt-" + active.index);
  }

  var timer = null;
  function onInput(event) {
    var textarea = event.target;
    var t = trigger(textarea);
    if (!t) { closeBox(); return; }
    var form = textarea.closest("form") || document.body;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url;
      if (t.kind === "mention") {
        if (!form.dataset.mentionUrl) return;
        url = form.dataset.mentionUrl + "?q=" + encodeURIComponent(t.query) +
          (form.dataset.mentionCommunity ? "&community=" + encodeURIComponent(form.dataset.mentionCommunity) : "");
      } else {
        if (!form.dataset.itemUrl) return;
        url = form.dataset.itemUrl + "?q=" + encodeURIComponent(t.query);
      }
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html) showOptions(textarea, t, html); else closeBox(); })
        .catch(closeBox);
    }, 200);
  }

  function onKey(event) {
    if (!box || !active || event.target !== active.textarea) return;
    var items = box.querySelectorAll("li");
    if (event.key === "ArrowDown") { active.index = (active.index + 1) % items.length; mark(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { active.index = (active.index - 1 + items.length) % items.length; mark(); event.preventDefault(); }
    else if (event.key === "Enter" || event.key === "Tab") { insert(active.textarea, active.t, items[active.index].dataset.value); event.preventDefault(); }
    else if (event.key === "Escape") { closeBox(); }
  }

  // --- Post type: show only the fields of the chosen type ------------------------------------------
  var KIND_FIELDS = {
    poll: ["poll_options", "poll_multiple", "poll_closes_at"],
    event: ["event_starts_at", "event_ends_at", "event_place"],
    announcement: ["requires_ack"],
  };
  function setupKind(select) {
    var form = select.form;
    function apply() {
      Object.keys(KIND_FIELDS).forEach(function (kind) {
        KIND_FIELDS[kind].forEach(function (name) {
          var input = form.querySelector("[name='" + name + "']");
          var field = input && input.closest(".field");
          if (field) field.hidden = select.value !== kind;
        });
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  function init(root) {
    root.querySelectorAll("textarea[data-preview]").forEach(setupPreview);
    root.querySelectorAll("form select[name='kind']").forEach(setupKind);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  document.addEventListener("input", function (e) { if (e.target.matches && e.target.matches("textarea[data-mention]")) onInput(e); });
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (e) { if (box && !box.contains(e.target)) closeBox(); });
})();
