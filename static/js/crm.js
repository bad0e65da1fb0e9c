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

  /* --- Notification bell: poll only while the tab is visible ------------------------------- */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-poll-visible") && document.hidden) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    var bell = document.getElementById("bell-count");
    if (!document.hidden && bell && window.htmx) window.htmx.trigger(bell, "bell-refresh");
  });

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
  /* A card moves by drag and drop (onto a column, or onto the Won/Lost drop zones fixed at
   * the bottom of the window while dragging) or from the keyboard with its "Move" button and
   * menu. Either way the same request goes to the same endpoint; a lost stage first asks why. */
  function boardElement() { return document.getElementById("board"); }

  function cardSibling(card, step) {
    var node = step < 0 ? card.previousElementSibling : card.nextElementSibling;
    while (node && !node.hasAttribute("data-deal")) {
      node = step < 0 ? node.previousElementSibling : node.nextElementSibling;
    }
    return node;
  }

  var focusAfterRefresh = null;

  function moveDeal(board, dealId, stageId, stageKind, above, below, fromStageId) {
    focusAfterRefresh = dealId;
    if (stageKind === "lost" && String(stageId) !== String(fromStageId)) {
      /* Ask for the lost reason first; cancelling reloads the board, card back in place. */
      var lostUrl = board.dataset.lostUrl.replace("/0/", "/" + dealId + "/");
      var query = "?stage=" + encodeURIComponent(stageId) +
        "&above=" + encodeURIComponent(above || "") + "&below=" + encodeURIComponent(below || "");
      window.htmx.ajax("GET", lostUrl + query, { target: "#crm-modal", swap: "innerHTML" });
      return;
    }
    var url = board.dataset.moveUrl.replace("/0/", "/" + dealId + "/");
    var values = { stage: stageId, above: above || "", below: below || "", csrfmiddlewaretoken: csrfToken() };
    window.htmx.ajax("POST", url, { values: values, swap: "none", source: board });
  }

  function initBoard(root) {
    var board = (root || document).querySelector ? (root || document).querySelector("#board") : null;
    if (!board && root && root.id === "board") board = root;
    if (!board || !window.Sortable || board.dataset.canWrite !== "1") return;
    board.querySelectorAll(".crm-board-cards, .crm-drop-zone").forEach(function (list) {
      if (list._sortable) return;
      var isZone = list.classList.contains("crm-drop-zone");
      list._sortable = window.Sortable.create(list, {
        group: isZone ? { name: "deals", pull: false, put: true } : "deals",
        sort: !isZone,
        draggable: ".crm-deal-card",
        filter: ".crm-card-move",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "sortable-ghost",
        onStart: function () { board.classList.add("is-dragging"); },
        onEnd: function (event) {
          board.classList.remove("is-dragging");
          var card = event.item;
          var target = event.to;
          if (event.from === target && event.oldIndex === event.newIndex) return;
          var above = target.classList.contains("crm-drop-zone") ? null : cardSibling(card, -1);
          var below = target.classList.contains("crm-drop-zone") ? null : cardSibling(card, 1);
          moveDeal(board, card.dataset.deal, target.dataset.stage, target.dataset.stageKind,
            above ? above.dataset.deal : "", below ? below.dataset.deal : "", event.from.dataset.stage);
        }
      });
    });
  }

  /* The keyboard's way: "Move" on a card opens the board's stage menu next to it. */
  var openMenuButton = null;

  function moveMenu() { return document.getElementById("board-move-menu"); }

  function closeMoveMenu(returnFocus) {
    var menu = moveMenu();
    if (menu) menu.hidden = true;
    if (openMenuButton) {
      openMenuButton.setAttribute("aria-expanded", "false");
      if (returnFocus) openMenuButton.focus();
    }
    openMenuButton = null;
  }

  function openMoveMenu(button) {
    var menu = moveMenu();
    if (!menu) return;
    var list = button.closest(".crm-board-cards");
    var current = list ? list.dataset.stage : "";
    openMenuButton = button;
    button.setAttribute("aria-expanded", "true");
    menu.querySelectorAll("[data-move-to]").forEach(function (item) {
      var here = item.dataset.moveTo === current;
      item.disabled = here;
      item.setAttribute("aria-current", here ? "true" : "false");
    });
    menu.hidden = false;
    var rect = button.getBoundingClientRect();
    var left = Math.min(rect.left, window.innerWidth - menu.offsetWidth - 8);
    var top = rect.bottom + 4;
    if (top + menu.offsetHeight > window.innerHeight - 8) top = Math.max(8, rect.top - menu.offsetHeight - 4);
    menu.style.left = Math.max(8, left) + "px";
    menu.style.top = top + "px";
    var first = menu.querySelector("[data-move-to]:not(:disabled)");
    if (first) first.focus();
  }

  function menuItems() {
    var menu = moveMenu();
    return menu ? Array.prototype.slice.call(menu.querySelectorAll("[data-move-to]:not(:disabled)")) : [];
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move-menu]");
    if (button) {
      event.preventDefault();
      if (openMenuButton === button) closeMoveMenu(true); else openMoveMenu(button);
      return;
    }
    var item = event.target.closest("[data-move-to]");
    if (item && openMenuButton) {
      var card = openMenuButton.closest("[data-deal]");
      var list = openMenuButton.closest(".crm-board-cards");
      closeMoveMenu(false);
      moveDeal(boardElement(), card.dataset.deal, item.dataset.moveTo, item.dataset.stageKind, "", "",
        list ? list.dataset.stage : "");
      return;
    }
    if (openMenuButton && !event.target.closest("#board-move-menu")) closeMoveMenu(false);
  });

  document.addEventListener("keydown", function (event) {
    if (!openMenuButton) return;
    var items = menuItems();
    var index = items.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); closeMoveMenu(true); }
    else if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
    else if (event.key === "Tab") { closeMoveMenu(false); }
  });

  /* A refused move (another user changed the deal meanwhile) puts the card back. */
  document.addEventListener("htmx:responseError", function (event) {
    var board = boardElement();
    if (board && event.detail && event.detail.elt === board && window.htmx) {
      window.htmx.trigger(document.body, "board-changed");
    }
  });

  /* What a move did, for screen readers: the server names it in its HX-Trigger. */
  document.addEventListener("crm-announce", function (event) {
    var status = document.getElementById("board-status");
    if (!status || !event.detail) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = event.detail.value; }, 50);
  });

  /* After the board refreshes, the keyboard stays on the card that moved. */
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusAfterRefresh || !event.detail || !event.detail.elt) return;
    var board = boardElement();
    if (!board || !board.contains(event.detail.elt) && event.detail.elt !== board) return;
    var card = board.querySelector('[data-deal="' + focusAfterRefresh + '"]');
    if (card) { card.focus(); focusAfterRefresh = null; }
  });

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

  /* --- A refused write in a read-only workspace (billing) ------------------------------ */
  /* The refusal lists what was typed; copy buttons put it on the clipboard. */
  function copyText(text, button) {
    var done = function () {
      if (!button.dataset.copiedText) return;
      var label = button.textContent;
      button.textContent = button.dataset.copiedText;
      window.setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
      return;
    }
    var scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.style.position = "fixed";
    scratch.style.opacity = "0";
    document.body.appendChild(scratch);
    scratch.select();
    try { if (document.execCommand("copy")) done(); } catch (error) { /* the text stays selectable */ }
    scratch.remove();
  }

  document.addEventListener("click", function (event) {
    var one = event.target.closest("[data-copy]");
    if (one) {
      var field = document.querySelector(one.dataset.copy);
      if (field) { field.select(); copyText(field.value, one); }
      return;
    }
    var all = event.target.closest("[data-copy-all]");
    if (all) {
      var scope = all.closest("[data-testid=submitted-values]") || document;
      var lines = Array.prototype.map.call(scope.querySelectorAll("[data-submitted-value]"), function (value) {
        return value.dataset.label + ": " + value.value;
      });
      copyText(lines.join("\n"), all);
      return;
    }
    var close = event.target.closest("[data-read-only-close]");
    if (close) {
      var dialog = close.closest("[data-read-only-dialog]");
      if (dialog) dialog.remove();
      /* A card dragged before the refusal goes back where the server has it. */
      if (window.htmx) window.htmx.trigger(document.body, "board-changed");
    }
  });

  document.addEventListener("htmx:load", function (event) {
    var dialog = event.detail.elt && event.detail.elt.matches && event.detail.elt.matches("[data-read-only-dialog]") ? event.detail.elt : null;
    if (dialog) {
      var first = dialog.querySelector("[data-copy-all], [data-read-only-close]");
      if (first) first.focus();
    }
  });

  /* --- Record pickers (Tom Select, remote search) ------------------------------------- */
  function initPickers(root) {
    if (!window.TomSelect) return;
    (root || document).querySelectorAll("select[data-lookup]").forEach(function (select) {
      if (select.tomselect) return;
      var picker = new window.TomSelect(select, {
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
      /* Inside a disabled fieldset (a read-only workspace) the picker takes no input either. */
      if (select.matches(":disabled")) picker.disable();
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
