/*
 * RSE live pages: one websocket per tab (/ws/), the bell, and opt-in live containers.
 * Plain JS, no framework beyond htmx. Loaded on every page by templates/partials/bell.html.
 *
 * Delivery over the socket is at-most-once: after every (re)connection the script asks the
 * catch-up endpoint for what happened since its cursor, so nothing is lost from the page.
 *
 * HOW A PAGE OPTS IN — put these data-attributes on a container (any element):
 *
 *   <section data-live
 *            data-live-community="12"        community id(s), space/comma separated: new posts there
 *                                             raise the "New posts (n)" banner
 *            data-live-item="56"             item id(s): new conversations about them raise the banner
 *            data-live-home="7"              the viewer's user id: everything new in their home feed
 *                                             (followed people and items, public announcements)
 *            data-live-post="34"             post id: new comments are inserted, counters updated
 *            data-live-since="{% now 'c' %}" when the page was rendered (ISO 8601 with offset): the
 *                                             first catch-up starts there, so nothing between render
 *                                             and connect is missed (item pages: put item_ids in the
 *                                             post_created payload to raise the banner live)
 *            data-live-feed-url="…"          optional: the banner loads this fragment (htmx GET) into
 *                                             [data-live-feed] instead of reloading the page
 *            data-live-comment-url="…/{id}/" optional: returns the HTML of one comment ({id} replaced);
 *                                             without it, new comments show a "New comments (n)" banner
 *            data-catchup-url="…">           optional, default /api/v1/live/catch-up/
 *
 * Inside the container (all optional):
 *   [data-live-feed]                  the list of posts; the banner goes just before it
 *   [data-post-id="ID"]               on each rendered post (already shown: not counted as new)
 *   [data-live-comments]              where new top-level comments are appended
 *   [data-live-replies="COMMENT_ID"]  where replies to that comment are appended
 *   [data-comment-id="ID"]            on each rendered comment (dedupe; "is-accepted" class toggled)
 *   [data-live-target="post-ID"] / [data-live-target="comment-ID"] wrapping
 *       [data-live-count="NAME"]      text set from the event payload's counts.NAME
 *                                     (catch-up fills "comments" and "reactions" for posts)
 *   [data-live-refresh="communities.voted communities.answer_accepted"] [data-live-url="…"]
 *                                     re-fetched (htmx.ajax GET, outerHTML) when one of those events
 *                                     concerns the page's post (payload.post_id) or the element's
 *                                     data-live-target
 *       with optional data-live-one / data-live-other="__COUNT__ reactions": the text, by plural form
 *       (or data-live-plural on reactions and comments: from the JavaScript catalogue, see PLURALS)
 *   [data-live-banner-text="New posts (__COUNT__)"]  translated banner text (on the container)
 *   [data-live-kinds="announcement"]  on the container: only new posts of these kinds raise the banner
 *
 * Every event is also dispatched on document.body as the DOM event "rse:<event>" (e.g.
 * "rse:communities.reacted", detail = payload), so htmx can react declaratively:
 *   hx-trigger="rse:communities.voted[detail.post_id==34] from:body"
 * and window.RSERealtime.subscribe(scope, id) / .on(event, fn) / .watch(element) are there for page
 * scripts. Live containers swapped in later by htmx are picked up by themselves (htmx:load).
 *
 * Notifications page: [data-live-notifications] shows a banner (reload) when one arrives.
 * Bell: [data-live-bell] elements get the unread count of "notifications.new" / "notifications.read"
 * at once; they also poll every 60 s through htmx (the Celery worker of the embedded setup cannot
 * reach this process's in-memory channel layer).
 */
(function () {
  "use strict";
  if (!document.body || !document.body.dataset.userId || !window.WebSocket) return;

  var CATCHUP_DEFAULT = "/api/v1/live/catch-up/";
  var socket = null;
  var attempt = 0;
  var connections = 0;
  var reconnectTimer = null;
  var signedOut = false; // the server ended this session (logout, deactivation, password change): never reconnect
  var listeners = {};
  var extraScopes = [];
  var seenPosts = new Set();
  var seenComments = new Set();
  var busy = new Set(); // containers with a catch-up request in flight

  function ids(value) {
    return (value || "").split(/[\s,]+/).filter(Boolean).map(Number).filter(function (n) { return n > 0; });
  }
  function containers() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-live]"));
  }
  function scopesOf(el) {
    var out = [];
    ids(el.dataset.liveCommunity).forEach(function (id) { out.push(["community", id]); });
    ids(el.dataset.livePost).forEach(function (id) { out.push(["post", id]); });
    ids(el.dataset.liveItem).forEach(function (id) { out.push(["item", id]); });
    ids(el.dataset.liveHome).forEach(function (id) { out.push(["home", id]); });
    return out;
  }
  function allScopes() {
    var out = extraScopes.slice();
    containers().forEach(function (el) { out = out.concat(scopesOf(el)); });
    return out;
  }
  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // --- bell ----------------------------------------------------------------------------
  function setUnread(count) {
    var announce = document.querySelector("[data-bell-announce]");
    var bells = document.querySelectorAll("[data-live-bell]");
    var before = bells.length ? Number(bells[0].dataset.unread || 0) : 0;
    document.querySelectorAll("[data-live-bell]").forEach(function (bell) {
      bell.dataset.unread = String(count);
      bell.classList.toggle("has-unread", count > 0);
      var badge = bell.querySelector("[data-bell-count]");
      if (badge) {
        badge.textContent = count > 99 ? "99+" : String(count);
        badge.hidden = count === 0;
      }
      var template = bell.dataset.labelTemplate;
      if (template) bell.setAttribute("aria-label", template.replace("__COUNT__", String(count)));
    });
    // The notifications page's "Unread (n)" tab follows the bell.
    document.querySelectorAll("[data-unread-tab]").forEach(function (tab) {
      if (tab.dataset.labelTemplate) tab.textContent = tab.dataset.labelTemplate.replace("__COUNT__", String(count));
    });
    // Screen readers hear of new notifications (not of reads), once, politely.
    if (announce && count > before && bells.length) announce.textContent = bells[0].getAttribute("aria-label");
  }

  // --- feed banner ---------------------------------------------------------------------
  function bannerFor(el, key) {
    var banner = el.querySelector('[data-live-banner="' + key + '"]');
    if (banner) return banner;
    banner = document.createElement("div");
    banner.className = "live-banner";
    banner.setAttribute("role", "status");
    banner.setAttribute("aria-live", "polite");
    banner.dataset.liveBanner = key;
    banner.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "live-banner-button";
    banner.appendChild(button);
    button.addEventListener("click", function () { showNew(el, banner); });
    var anchor = key === "posts" ? el.querySelector("[data-live-feed]") : el.querySelector("[data-live-comments]");
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(banner, anchor);
    else el.insertBefore(banner, el.firstChild);
    return banner;
  }
  function bumpBanner(el, key, newIds) {
    var banner = bannerFor(el, key);
    var pending = new Set(JSON.parse(banner.dataset.pending || "[]"));
    newIds.forEach(function (id) { pending.add(id); });
    if (!pending.size) return;
    banner.dataset.pending = JSON.stringify(Array.from(pending));
    var template = key === "posts"
      ? (el.dataset.liveBannerText || "New posts (__COUNT__)")
      : (el.dataset.liveCommentsBannerText || "New comments (__COUNT__)");
    banner.querySelector("button").textContent = template.replace("__COUNT__", String(pending.size));
    banner.hidden = false;
  }
  function showNew(el, banner) {
    var url = el.dataset.liveFeedUrl;
    var feed = el.querySelector("[data-live-feed]");
    banner.hidden = true;
    banner.dataset.pending = "[]";
    if (banner.dataset.liveBanner === "posts" && url && feed && window.htmx) {
      window.htmx.ajax("GET", url, { target: feed, swap: "innerHTML" }).then(function () {
        feed.setAttribute("tabindex", "-1");
        feed.focus();
      });
    } else {
      window.location.reload();
    }
  }

  function postAlreadyShown(el, id) {
    return seenPosts.has(id) || el.querySelector('[data-post-id="' + id + '"]');
  }
  // `only`: the container a catch-up answered for (its posts are in its scopes by construction).
  function onNewPosts(posts, only) {
    containers().forEach(function (el) {
      if (only && el !== only) return;
      var communities = ids(el.dataset.liveCommunity);
      var items = ids(el.dataset.liveItem);
      var home = ids(el.dataset.liveHome).length > 0;
      var kinds = (el.dataset.liveKinds || "").split(/[\s,]+/).filter(Boolean);
      if (!communities.length && !items.length && !home) return;
      var fresh = posts.filter(function (p) {
        if (kinds.length && kinds.indexOf(p.kind) === -1) return false;
        var forHome = home && (p.home || (p.kind === "announcement" && p.members_only === false));
        var inScope = only || forHome || communities.indexOf(Number(p.community_id)) !== -1 ||
          (p.item_ids || []).some(function (id) { return items.indexOf(Number(id)) !== -1; });
        return inScope && !postAlreadyShown(el, Number(p.id));
      }).map(function (p) { return Number(p.id); });
      fresh.forEach(function (id) { seenPosts.add(id); });
      if (fresh.length) bumpBanner(el, "posts", fresh);
    });
  }

  // --- comments, counters, accepted answer ---------------------------------------------
  function postContainers(postId) {
    return containers().filter(function (el) { return ids(el.dataset.livePost).indexOf(Number(postId)) !== -1; });
  }
  function insertComment(el, comment) {
    var id = Number(comment.id);
    if (seenComments.has(id) || el.querySelector('[data-comment-id="' + id + '"]')) return;
    seenComments.add(id);
    var template = el.dataset.liveCommentUrl;
    var list = (comment.parent_id && el.querySelector('[data-live-replies="' + comment.parent_id + '"]')) ||
      el.querySelector("[data-live-comments]");
    if (!template || !list) {
      bumpBanner(el, "comments", [id]);
      return;
    }
    fetch(template.replace("{id}", String(id)), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html || el.querySelector('[data-comment-id="' + id + '"]')) return;
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var node = holder.content.firstElementChild;
        if (!node) return;
        node.classList.add("live-new");
        list.appendChild(node);
        if (window.htmx) window.htmx.process(node);
      })
      .catch(function () { bumpBanner(el, "comments", [id]); });
  }
  // An edited comment: its text and its "edited" link are swapped in place (its replies, reply
  // box and the reader's own reaction state stay as they are).
  function refreshComment(el, id) {
    var template = el.dataset.liveCommentUrl;
    var current = el.querySelector('[data-comment-id="' + id + '"]');
    if (!template || !current) return;
    fetch(template.replace("{id}", String(id)), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.firstElementChild;
        if (!fresh) return;
        [":scope > .md", ":scope > .row"].forEach(function (selector) {
          var before = current.querySelector(selector);
          var after = fresh.querySelector(selector);
          if (before && after) before.replaceWith(after);
        });
        current.classList.add("live-updated");
      })
      .catch(function () { /* the next visit shows it */ });
  }

  // "3 reactions", not "3": a node may carry data-live-one / data-live-other ("__COUNT__ reaction(s)"),
  // chosen by the page language's plural rules (French says "0 réaction", "1 réaction"). The counts
  // every post card shows take theirs from the JavaScript catalogue instead: twenty cards carried
  // the same four strings.
  var PLURALS = {
    reactions: function (n) { return window.ngettext ? ngettext("%s reaction", "%s reactions", n) : null; },
    comments: function (n) { return window.ngettext ? ngettext("%s comment", "%s comments", n) : null; },
  };
  var pluralRules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  function countText(node, value) {
    var form = pluralRules && typeof value === "number" ? pluralRules.select(value) : "other";
    var template = form === "one" ? node.dataset.liveOne : node.dataset.liveOther;
    if (template) return template.replace("__COUNT__", String(value));
    var known = typeof value === "number" && node.hasAttribute("data-live-plural") && PLURALS[node.dataset.liveCount];
    var text = known && known(value);
    return text ? interpolate(text, [value]) : String(value);
  }
  function setCounts(targetKey, counts) {
    if (!counts || typeof counts !== "object") return;
    document.querySelectorAll('[data-live-target="' + targetKey + '"]').forEach(function (target) {
      Object.keys(counts).forEach(function (name) {
        var value = counts[name];
        if (typeof value === "object") return;
        target.querySelectorAll('[data-live-count="' + name + '"]').forEach(function (node) {
          node.textContent = countText(node, value);
        });
      });
    });
  }
  function markAccepted(postId, commentId) {
    postContainers(postId).forEach(function (el) {
      el.querySelectorAll("[data-comment-id].is-accepted").forEach(function (node) {
        node.classList.remove("is-accepted");
      });
      if (commentId) {
        var node = el.querySelector('[data-comment-id="' + commentId + '"]');
        if (node) node.classList.add("is-accepted");
      }
    });
  }
  function refreshFragments(event, payload) {
    if (!window.htmx) return;
    document.querySelectorAll("[data-live-refresh]").forEach(function (node) {
      if (node.dataset.liveRefresh.split(/[\s,]+/).indexOf(event) === -1) return;
      var holder = node.dataset.liveTarget ? node : node.closest("[data-live-target]");
      var target = holder ? holder.dataset.liveTarget : "";
      var concerned = (payload.post_id && target === "post-" + payload.post_id) ||
        (payload.comment_id && target === "comment-" + payload.comment_id) ||
        (!target && payload.post_id && postContainers(payload.post_id).some(function (el) { return el.contains(node); }));
      if (concerned && node.dataset.liveUrl) {
        window.htmx.ajax("GET", node.dataset.liveUrl, { target: node, swap: "outerHTML" });
      }
    });
  }

  // --- events ----------------------------------------------------------------------------
  // Events this script does nothing with beyond the "rse:<event>" DOM event that every event
  // becomes (page scripts and hx-trigger may listen to it). rse/lib/tests/test_events.py checks
  // that every registered event type is either a case of handle() below or listed here.
  var PASSIVE = [
    "rse.subscribed", "rse.refused", "rse.unsubscribed", "rse.pong", "rse.error",
    "communities.post_pinned", "communities.post_highlighted", "communities.acknowledged", "communities.rsvp",
    "communities.community_created", "communities.community_updated", "communities.member_joined",
    "communities.join_requested", "communities.invited", "communities.left", "communities.request_rejected",
    "communities.invitation_declined", "communities.member_removed",
    "directory.profile_updated", "directory.endorsed", "directory.followed",
    "repository.item_created", "repository.item_updated",
    "animation.scheduled_post_published", "animation.pulse_answered",
    "engagement.export_ready"
  ];

  // When a live event last touched a post: a catch-up answer computed before it is older
  // news and must not overwrite its counts or accepted answer.
  var lastLive = {};

  function handle(event, payload) {
    payload = payload || {};
    if (payload.post_id) lastLive[payload.post_id] = Date.now();
    switch (event) {
      case "notifications.new":
        document.querySelectorAll("[data-live-notifications]").forEach(function (el) {
          var banner = bannerFor(el, "notifications");
          banner.querySelector("button").textContent = el.dataset.liveNotificationsText || "New notifications: show them";
          banner.hidden = false;
        });
        if (typeof payload.unread === "number") setUnread(payload.unread);
        break;
      case "notifications.read":
        if (typeof payload.unread === "number") setUnread(payload.unread);
        break;
      case "communities.post_created":
        onNewPosts([{ id: payload.post_id, community_id: payload.community_id, item_ids: payload.item_ids,
          kind: payload.kind, home: payload.home, members_only: payload.members_only }]);
        break;
      case "communities.comment_created":
        postContainers(payload.post_id).forEach(function (el) {
          insertComment(el, { id: payload.comment_id, parent_id: payload.parent_id });
        });
        if (payload.counts) setCounts("post-" + payload.post_id, payload.counts);
        break;
      case "communities.reacted":
      case "communities.voted":
        setCounts(payload.comment_id ? "comment-" + payload.comment_id : "post-" + payload.post_id, payload.counts);
        break;
      case "communities.answer_accepted":
        markAccepted(payload.post_id, payload.comment_id);
        break;
      case "communities.comment_edited":
        postContainers(payload.post_id).forEach(function (el) { refreshComment(el, payload.comment_id); });
        break;
      case "communities.comment_deleted":
        document.querySelectorAll('[data-comment-id="' + payload.comment_id + '"]').forEach(function (node) {
          node.classList.add("live-deleted");
        });
        break;
      case "communities.post_edited":
        // The card's text is stale: say so (its [data-live-refresh] fragments reload below).
        document.querySelectorAll('[data-post-id="' + payload.post_id + '"]').forEach(function (node) {
          node.classList.add("live-edited");
        });
        break;
      case "communities.post_deleted":
        document.querySelectorAll('[data-post-id="' + payload.post_id + '"]').forEach(function (node) {
          node.classList.add("live-deleted");
        });
        break;
      case "accounts.session_ended":
        // The server closes the socket next (code 4401): stay closed, do not knock again.
        signedOut = true;
        if (reconnectTimer) { window.clearTimeout(reconnectTimer); reconnectTimer = null; }
        break;
      case "rse.hello":
        // After a reconnection the bell may be stale: htmx refetches it (hx-trigger on the bell).
        if (connections > 0) document.body.dispatchEvent(new CustomEvent("rse:notifications-changed"));
        connections += 1;
        attempt = 0;
        containers().forEach(function (el) { el.dataset.liveWatched = "1"; });
        resubscribe();
        catchUp(0);
        break;
      default:
        if (PASSIVE.indexOf(event) === -1 && window.console) console.warn("RSE: no handler for event " + event);
    }
    if (payload.post_id && event.indexOf("communities.") === 0) refreshFragments(event, payload);
    document.body.dispatchEvent(new CustomEvent("rse:" + event, { detail: payload }));
    (listeners[event] || []).concat(listeners["*"] || []).forEach(function (fn) {
      try { fn(payload, event); } catch (e) { if (window.console) console.error(e); }
    });
  }

  function resubscribe() {
    allScopes().forEach(function (scope) { send({ action: "subscribe", scope: scope[0], id: scope[1] }); });
  }

  // --- catch-up (what the socket missed) ------------------------------------------------
  function catchUp(round, only) {
    (only || containers()).forEach(function (el) {
      var scopes = scopesOf(el);
      if (!scopes.length || (busy.has(el) && round === 0)) return;
      var params = new URLSearchParams();
      if (el.dataset.liveCursor) params.set("cursor", el.dataset.liveCursor);
      else if (el.dataset.liveSince) params.set("since", el.dataset.liveSince);
      scopes.forEach(function (scope) { params.append(scope[0], String(scope[1])); });
      busy.add(el);
      var sentAt = Date.now();
      fetch((el.dataset.catchupUrl || CATCHUP_DEFAULT) + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          busy.delete(el);
          if (!data) return;
          el.dataset.liveCursor = data.cursor;
          if (data.posts && data.posts.length) onNewPosts(data.posts, el);
          (data.comments || []).forEach(function (comment) {
            postContainers(comment.post_id).forEach(function (pc) { insertComment(pc, comment); });
          });
          (data.post_states || []).forEach(function (state) {
            if ((lastLive[state.id] || 0) > sentAt) return;
            setCounts("post-" + state.id, { comments: state.comments_count, reactions: state.reactions_count });
            markAccepted(state.id, state.accepted_comment_id);
          });
          if (data.has_more && round < 5) catchUp(round + 1, [el]);
        })
        .catch(function () { busy.delete(el); });
    });
  }

  // --- connection with backoff ------------------------------------------------------------
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    try {
      // Production routes /ws/ to the websocket nodes through the proxy; `make serve`, without a
      // proxy, runs them on a port of their own (settings.WEBSOCKET_PORT).
      var port = document.body.dataset.wsPort;
      var host = port ? window.location.hostname + ":" + port : window.location.host;
      socket = new WebSocket(scheme + "//" + host + "/ws/");
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("message", function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data && data.event) handle(data.event, data.payload);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4401) signedOut = true; // logged out: do not hammer the server
      if (signedOut) return;
      scheduleReconnect();
    });
  }
  function scheduleReconnect() {
    if (reconnectTimer || signedOut) return;
    // Exponential backoff with jitter, 1 s → 30 s, so a restarted server is not stampeded.
    var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
    attempt += 1;
    reconnectTimer = window.setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket && reconnectTimer && !signedOut) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });
  window.addEventListener("online", function () {
    if (!socket && !signedOut) { attempt = 0; if (reconnectTimer) { window.clearTimeout(reconnectTimer); reconnectTimer = null; } connect(); }
  });

  // A live container that arrives later (htmx swap, boosted navigation) is subscribed and caught up.
  function watch(root) {
    var found = [];
    if (root.matches && root.matches("[data-live]")) found.push(root);
    if (root.querySelectorAll) found = found.concat(Array.prototype.slice.call(root.querySelectorAll("[data-live]")));
    found.forEach(function (el) {
      if (el.dataset.liveWatched) return;
      el.dataset.liveWatched = "1";
      scopesOf(el).forEach(function (scope) { send({ action: "subscribe", scope: scope[0], id: scope[1] }); });
      if (socket && socket.readyState === WebSocket.OPEN) catchUp(0, [el]);
    });
  }
  document.addEventListener("htmx:load", function (event) { watch(event.target); });

  window.RSERealtime = {
    subscribe: function (scope, id) { extraScopes.push([scope, Number(id)]); send({ action: "subscribe", scope: scope, id: Number(id) }); },
    unsubscribe: function (scope, id) {
      extraScopes = extraScopes.filter(function (s) { return !(s[0] === scope && s[1] === Number(id)); });
      send({ action: "unsubscribe", scope: scope, id: Number(id) });
    },
    on: function (event, fn) { (listeners[event] = listeners[event] || []).push(fn); },
    catchUp: function () { catchUp(0); },
    isOpen: function () { return !!socket && socket.readyState === WebSocket.OPEN; },
    watch: watch
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
