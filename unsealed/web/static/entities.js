// Entity list: filter as you type (the form works without it). Fetches the same page with the new
// filter and swaps in its results section, so the server renders and escapes every row.
(function () {
  "use strict";
  var form = document.getElementById("entity-filter");
  var input = document.getElementById("name-filter");
  if (!form || !input) return;
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var params = new URLSearchParams(new FormData(form));
      if (!input.value) params.delete("name");
      var url = form.action + "?" + params.toString();
      var ticket = ++latest;
      fetch(url, { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (ticket !== latest) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("entity-results");
          var old = document.getElementById("entity-results");
          if (fresh && old) { old.replaceWith(fresh); history.replaceState(null, "", url); }
        });
    }, 200);
  });
})();
