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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
