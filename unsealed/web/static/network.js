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
      var elements = g.nodes.map(function (n) {
        return { data: { id: n.id, label: n.name, type: n.type, center: n.center ? 1 : 0 } };
      }).concat(g.edges.map(function (e, i) {
        return { data: { id: "e" + i, source: e.source, target: e.target, w: e.documents } };
      }));
      box.classList.add("ready");
      var cy = cytoscape({
        container: box,
        elements: elements,
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90 },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
            "background-color": function (n) { return colours[n.data("type")] || "#777"; },
            "width": function (n) { return n.data("center") ? 34 : 20; },
            "height": function (n) { return n.data("center") ? 34 : 20; },
            "border-width": function (n) { return n.data("center") ? 3 : 0; }, "border-color": "#15263f" } },
          { selector: "edge", style: {
            "width": function (e) { return 1 + 5 * e.data("w") / maxW; },
            "line-color": "#b9c3d3", "curve-style": "haystack", "opacity": 0.8 } }
        ]
      });
      cy.on("tap", "node", function (evt) { window.location.href = "/entities/" + encodeURIComponent(evt.target.id()); });
      box.setAttribute("data-rendered", String(cy.nodes().length));
    })
    .catch(function (err) { box.textContent = "The graph could not be drawn (" + err.message + "); the table below lists the same links."; });
})();
