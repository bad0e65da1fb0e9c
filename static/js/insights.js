/* Insights charts: each chart's data sits in a JSON script beside its canvas (and in a table
 * below it). Clicking a bar or slice opens the records behind it. Redrawn after htmx swaps. */
(function () {
  "use strict";

  var PALETTE = ["#206bc4", "#79a6dc", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816", "#f76707"];

  function draw(container) {
    if (typeof window.Chart === "undefined") return;
    var source = document.getElementById(container.getAttribute("data-chart"));
    var canvas = container.querySelector("canvas");
    if (!source || !canvas || canvas.dataset.drawn) return;
    var spec = JSON.parse(source.textContent);
    var round = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (set, index) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: round ? PALETTE : PALETTE[index % PALETTE.length]
      };
    });
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: round || datasets.length > 1 } },
        onClick: function (event, elements) {
          if (!elements.length || !spec.urls.length) return;
          var url = spec.urls[elements[0].index];
          if (url) window.location.href = url;
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length && spec.urls.length ? "pointer" : "default";
        }
      }
    });
  }

  function drawAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-chart]"), draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
