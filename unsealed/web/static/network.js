// Draws the co-mention graph with the vendored Cytoscape.js; the page works without it (table).
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") return;
  var colours = { PERSON: "#4a7fd4", ORG: "#3f9a56", LOCATION: "#d98a2b", EMAIL: "#8a5cc7", PHONE: "#c74b72", URL: "#777" };
  fetch(box.dataset.graph, { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (g) {
      var maxW = Math.max.apply(null, g.edges.map(function (e) { return e.documents; }).concat([1]));
      var toCenter = {};
      g.edges.forEach(function (e) { if (e.source === g.center.id) toCenter[e.target] = e.documents; });
      var elements = g.nodes.map(function (n) {
        return { data: { id: n.id, label: n.name, type: n.type, center: n.center ? 1 : 0, w0: toCenter[n.id] || 0 } };
      }).concat(g.edges.map(function (e, i) {
        return { data: { id: "e" + i, source: e.source, target: e.target, w: e.documents } };
      }));
      box.classList.add("ready");
      var cy = cytoscape({
        container: box,
        elements: elements,
        maxZoom: 1.3,
        minZoom: 0.3,
        layout: {
          name: "concentric", animate: false, minNodeSpacing: 45, padding: 30,
          concentric: function (n) { return n.data("center") ? maxW + 1 : n.data("w0"); },
          levelWidth: function () { return Math.max(1, maxW / 3); }
        },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "font-size": 13, "font-weight": function (n) { return n.data("center") ? 700 : 400; }, "text-valign": "bottom", "text-margin-y": 3,
            "text-wrap": "ellipsis", "text-max-width": 150, "min-zoomed-font-size": 8, "color": "#1d1d1f",
            "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
            "background-color": function (n) { return colours[n.data("type")] || "#777"; },
            "width": function (n) { return n.data("center") ? 34 : 20; },
            "height": function (n) { return n.data("center") ? 34 : 20; },
            "border-width": function (n) { return n.data("center") ? 3 : 0; }, "border-color": "#15263f" } },
          { selector: "edge", style: {
            "width": function (e) { return 1 + 5 * e.data("w") / maxW; },
            "line-color": "#9fb0c8", "curve-style": "bezier", "opacity": 0.8 } },
          { selector: "edge:selected, edge.hover", style: { "line-color": "#f5a623", "opacity": 1 } }
        ]
      });
      cy.on("tap", "node", function (evt) { window.location.href = "/entities/" + encodeURIComponent(evt.target.id()); });
      // an edge opens the documents both ends are named in
      cy.on("tap", "edge", function (evt) {
        var e = evt.target;
        window.location.href = "/entities/" + encodeURIComponent(e.data("source")) + "/shared/" + encodeURIComponent(e.data("target"));
      });
      cy.on("mouseover", "edge", function (evt) { evt.target.addClass("hover"); });
      cy.on("mouseout", "edge", function (evt) { evt.target.removeClass("hover"); });
      box.setAttribute("data-rendered", String(cy.nodes().length));
    })
    .catch(function (err) { box.textContent = "The graph could not be drawn (" + err.message + "); the table below lists the same links."; });
})();
