// oncotrial — small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Confirmation for buttons that carry data-confirm (e.g. randomize, which cannot be undone).
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Table rows that link to a record.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, button, input, select, label")) {
      window.location.assign(row.getAttribute("data-href"));
    }
  });
  // A session that expired during an htmx request sends the browser to the login page.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 || status === 403) {
      var box = document.getElementById("htmx-error");
      if (box) { box.textContent = "This action was refused (" + status + "). Reload the page."; }
    }
  });
})();
