// Daily reports: the epidemic curve on the command dashboard (Chart.js, vendored).
// Loaded as a file so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var chart = null;

  function draw(canvas, data, index) {
    if (typeof window.Chart === "undefined") return;
    var series = data.series[index] || data.series[0];
    var config = {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: series.name,
          data: series.data,
          backgroundColor: "rgba(179, 19, 27, 0.75)",
          borderColor: "#b3131b",
          borderWidth: 1
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: true } }
      }
    };
    if (chart) chart.destroy();
    chart = new window.Chart(canvas, config);
    canvas.setAttribute("data-drawn", "true");
  }

  function init() {
    var canvas = document.getElementById("rep-curve");
    if (!canvas) return;
    var source = document.getElementById(canvas.getAttribute("data-curve-data"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var select = document.querySelector("[data-curve-select]");
    draw(canvas, data, select ? parseInt(select.value, 10) || 0 : 0);
    if (select) {
      select.addEventListener("change", function () {
        draw(canvas, data, parseInt(select.value, 10) || 0);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
