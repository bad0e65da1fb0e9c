/* Behaviour every Rapport page shares. No inline handlers anywhere: the Content-Security-Policy
 * refuses them, so pages declare intent with data attributes and this file acts on them.
 *
 * data-confirm="Question?" on a form asks before it is submitted; on a button or link, asks
 * before that one action. Without JavaScript the action simply happens (the server still
 * checks permissions and keeps an audit trail). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("button[data-confirm], a[data-confirm], input[type=submit][data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* An htmx request the server refused (4xx/5xx) swaps nothing by default, which looks like
   * nothing happened. Say so where page messages go, in the page's language. */
  document.addEventListener("htmx:responseError", function (event) {
    var messages = document.getElementById("messages");
    var text = document.body.getAttribute("data-request-failed");
    if (!messages || !text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-testid", "request-failed");
    var body = document.createElement("div");
    body.textContent = text;
    alert.appendChild(body);
    messages.replaceChildren(alert);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
