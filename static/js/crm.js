/* Rapport CRM behaviour: Ctrl-K search palette, kanban drag and drop, record pickers,
 * bulk selection, stage reordering. Each part degrades to plain links and forms. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/csrftoken=([^;]+)/);
    return match ? match[1] : "";
  }

  /* --- Search palette ------------------------------------------------------------------- */
  function palette() { return document.getElementById("palette"); }

  function openPalette() {
    var element = palette();
    if (!element) return;
    element.hidden = false;
    var input = element.querySelector("input[name=q]");
    input.value = "";
    document.getElementById("palette-results").innerHTML = "";
    input.focus();
  }

  function closePalette() {
    var element = palette();
    if (element) element.hidden = true;
  }

  function paletteMove(step) {
    var results = Array.prototype.slice.call(document.querySelectorAll("#palette-results [data-search-result]"));
    if (!results.length) return;
    var index = results.indexOf(document.activeElement);
    var next = index + step;
    if (next < 0) { palette().querySelector("input[name=q]").focus(); return; }
    results[Math.min(next, results.length - 1)].focus();
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openPalette();
      return;
    }
    var element = palette();
    if (!element || element.hidden) return;
    if (event.key === "Escape") { closePalette(); }
    else if (event.key === "ArrowDown") { event.preventDefault(); paletteMove(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); paletteMove(-1); }
    else if (event.key === "Enter" && document.activeElement.name === "q") {
      var first = element.querySelector("[data-search-result]");
      if (first) { event.preventDefault(); window.location.href = first.href; }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-palette-open]")) { event.preventDefault(); openPalette(); }
    else if (event.target.closest("[data-palette-close]")) { closePalette(); }
  });

  /* --- Deal board ----------------------------------------------------------------------- */
  function initBoard(root) {
    var board = (root || document).querySelector ? (root || document).querySelector("#board") : null;
    if (!board && root && root.id === "board") board = root;
    if (!board || !window.Sortable || board.dataset.canWrite !== "1") return;
    board.querySelectorAll(".crm-board-cards").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = window.Sortable.create(list, {
        group: "deals",
        animation: 120,
        ghostClass: "sortable-ghost",
        onEnd: function (event) {
          var card = event.item;
          var target = event.to;
          var above = card.previousElementSibling;
          var below = card.nextElementSibling;
          var values = {
            stage: target.dataset.stage,
            above: above ? above.dataset.deal : "",
            below: below ? below.dataset.deal : "",
            csrfmiddlewaretoken: csrfToken()
          };
          if (target.dataset.stageKind === "lost" && event.from !== event.to) {
            /* Ask for the lost reason first; cancelling reloads the board, card back in place. */
            var lostUrl = board.dataset.lostUrl.replace("/0/", "/" + card.dataset.deal + "/");
            var query = "?stage=" + encodeURIComponent(values.stage) +
              "&above=" + encodeURIComponent(values.above) + "&below=" + encodeURIComponent(values.below);
            window.htmx.ajax("GET", lostUrl + query, { target: "#crm-modal", swap: "innerHTML" });
            return;
          }
          var url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.deal + "/");
          window.htmx.ajax("POST", url, { values: values, swap: "none", source: board });
        }
      });
    });
  }

  /* --- Modal prompts (lost reason) ----------------------------------------------------- */
  function closeModal(refreshBoard) {
    var modal = document.getElementById("crm-modal");
    if (modal) modal.innerHTML = "";
    if (refreshBoard && window.htmx) window.htmx.trigger(document.body, "board-changed");
  }

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-crm-modal-cancel]");
    if (!cancel || !cancel.closest("#crm-modal")) return;
    event.preventDefault();
    closeModal(true);
  });

  document.addEventListener("keydown", function (event) {
    var modal = document.getElementById("crm-modal");
    if (event.key === "Escape" && modal && modal.firstElementChild) closeModal(true);
  });

  /* --- Record pickers (Tom Select, remote search) ------------------------------------- */
  function initPickers(root) {
    if (!window.TomSelect) return;
    (root || document).querySelectorAll("select[data-lookup]").forEach(function (select) {
      if (select.tomselect) return;
      new window.TomSelect(select, {
        valueField: "id",
        labelField: "text",
        searchField: ["text"],
        allowEmptyOption: true,
        // The server renders only the chosen record; opening the picker loads the first
        // matches, typing loads more (the lookup endpoint answers with 20 visible records).
        preload: "focus",
        loadThrottle: 250,
        load: function (query, callback) {
          fetch(select.dataset.lookup + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (response) { return response.json(); })
            .then(function (data) { callback(data.results); })
            .catch(function () { callback(); });
        }
      });
    });
  }

  /* --- Bulk selection ------------------------------------------------------------------ */
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    var form = event.target.closest("#bulk-form");
    if (!form) return;
    if (all) {
      form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
    }
    var count = form.querySelectorAll("input[name=ids]:checked").length;
    var label = form.querySelector("[data-bulk-count]");
    if (label) label.textContent = count ? count + " ✓" : label.textContent;
  });

  /* --- Stage reordering in settings (drag rows; buttons work without it) --------------- */
  function initStageOrder(root) {
    if (!window.Sortable) return;
    (root || document).querySelectorAll("[data-stage-order]").forEach(function (body) {
      if (body._sortable) return;
      body._sortable = window.Sortable.create(body, {
        animation: 120,
        onEnd: function () {
          var ids = Array.prototype.map.call(body.querySelectorAll("tr[data-stage]"), function (row) { return row.dataset.stage; });
          var form = document.createElement("form");
          form.method = "post";
          form.action = body.dataset.stageOrder;
          [["order", ids.join(",")], ["csrfmiddlewaretoken", csrfToken()]].forEach(function (pair) {
            var input = document.createElement("input");
            input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
            form.appendChild(input);
          });
          document.body.appendChild(form);
          form.submit();
        }
      });
    });
  }

  function init(root) {
    initBoard(root);
    initPickers(root);
    initStageOrder(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
