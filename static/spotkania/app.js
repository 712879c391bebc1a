// Spotkania's own behaviour. No inline scripts: everything is wired here by data attributes.
(function () {
  "use strict";

  // Searchable selects: <select data-tom-select> (remote search with data-search-url).
  function initSelects(root) {
    root.querySelectorAll("select[data-tom-select]").forEach(function (el) {
      if (el.tomselect) return;
      var options = { plugins: el.multiple ? ["remove_button"] : [], maxOptions: 50 };
      var url = el.dataset.searchUrl;
      if (url) {
        options.valueField = "id";
        options.labelField = "text";
        options.searchField = ["text"];
        options.load = function (query, callback) {
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query), {
            headers: { "Accept": "application/json" },
          })
            .then(function (r) { return r.json(); })
            .then(function (data) { callback(data.results); })
            .catch(function () { callback(); });
        };
      }
      new TomSelect(el, options);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initSelects(document); });
  document.addEventListener("htmx:load", function (event) { initSelects(event.target); });
})();
