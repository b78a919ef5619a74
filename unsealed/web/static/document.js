// Document page: copy citation / link, next and previous hit, zoom and pan of page images, keys.
// The page works without it (links, anchors and forms); this only adds convenience.
(function () {
  "use strict";
  var hits = Array.prototype.slice.call(document.querySelectorAll("mark.hit[id^='hit-']"));
  var current = -1;
  var pos = document.getElementById("hitpos");

  function goHit(step) {
    if (!hits.length) return;
    current = (current + step + hits.length) % hits.length;
    var el = hits[current];
    hits.forEach(function (h) { h.classList.remove("current-hit"); });
    el.classList.add("current-hit");
    el.scrollIntoView({ block: "center" });
    if (pos) pos.textContent = "hit " + (current + 1) + " of " + hits.length;
  }

  function copy(button) {
    var text = button.getAttribute("data-copy");
    var done = function () {
      var note = document.createElement("span");
      note.className = "copied";
      note.setAttribute("role", "status");
      note.textContent = "copied";
      button.after(note);
      setTimeout(function () { note.remove(); }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { window.prompt("Copy:", text); });
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } catch (e) { window.prompt("Copy:", text); }
      area.remove();
    }
  }

  var zoom = 1;
  function setZoom(step) {
    zoom = step === 0 ? 1 : Math.min(4, Math.max(1, zoom * (step > 0 ? 1.25 : 0.8)));
    document.querySelectorAll(".zoomed").forEach(function (z) { z.style.width = (zoom * 100) + "%"; });
  }

  function pages() { return Array.prototype.slice.call(document.querySelectorAll("section.page")); }
  function goPage(step) {
    var list = pages();
    if (!list.length) return;
    var top = window.scrollY + 10;
    var index = list.findIndex(function (p) { return p.offsetTop > top; });
    var now = index === -1 ? list.length - 1 : Math.max(0, index - 1);
    var next = list[Math.min(list.length - 1, Math.max(0, now + step))];
    next.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#" + next.id);
  }

  document.addEventListener("click", function (event) {
    var t = event.target.closest("button");
    if (!t) return;
    if (t.hasAttribute("data-copy")) copy(t);
    else if (t.hasAttribute("data-hit")) goHit(Number(t.getAttribute("data-hit")));
    else if (t.hasAttribute("data-zoom")) setZoom(Number(t.getAttribute("data-zoom")));
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) return;
    var actions = {
      n: function () { goHit(1); }, p: function () { goHit(-1); },
      j: function () { goPage(1); }, k: function () { goPage(-1); },
      "+": function () { setZoom(1); }, "=": function () { setZoom(1); },
      "-": function () { setZoom(-1); }, "0": function () { setZoom(0); },
      "/": function () { var q = document.getElementById("doc-q"); if (q) q.focus(); }
    };
    var act = actions[event.key];
    if (act) { event.preventDefault(); act(); }
  });

  // Drag to pan a zoomed page image.
  document.querySelectorAll(".zoombox").forEach(function (box) {
    var start = null;
    box.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "mouse") return;
      start = { x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop };
      box.setPointerCapture(e.pointerId);
    });
    box.addEventListener("pointermove", function (e) {
      if (!start) return;
      box.scrollLeft = start.left - (e.clientX - start.x);
      box.scrollTop = start.top - (e.clientY - start.y);
    });
    box.addEventListener("pointerup", function () { start = null; });
  });
})();
