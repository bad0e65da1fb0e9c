// Workflow rule form: show only the inputs the chosen trigger and each row's action need.
// Without JavaScript every input stays visible and the server ignores the unused ones.
(function () {
  "use strict";

  // data-for-<name>="a b": shown while the scope's <name> select has one of these values.
  var CONTROLS = { trigger: "select[name=trigger]", kind: "select[name$='-kind']", mode: "select[name$='-mode']" };

  function refresh(scope) {
    scope.querySelectorAll("[data-for-trigger], [data-for-kind], [data-for-mode]").forEach(function (element) {
      var shown = true;
      Object.keys(CONTROLS).forEach(function (name) {
        var wanted = element.getAttribute("data-for-" + name);
        var control = scope.querySelector(CONTROLS[name]);
        if (wanted && control) {
          shown = shown && wanted.split(" ").indexOf(control.value) !== -1;
        }
      });
      element.hidden = !shown;
    });
  }

  function setUp() {
    var form = document.querySelector("[data-rule-form]");
    if (!form || form.dataset.ruleFormReady) {
      return;
    }
    form.dataset.ruleFormReady = "1";
    var scopes = [form.querySelector("[data-trigger-fields]")].concat(
      Array.prototype.slice.call(form.querySelectorAll("[data-action-row]"))
    );
    scopes.forEach(function (scope) {
      if (!scope) {
        return;
      }
      scope.addEventListener("change", function () {
        refresh(scope);
      });
      refresh(scope);
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
