// Daily reports: the epidemic curve on the command dashboard (Chart.js, vendored).
// Loaded as a file so the Content-Security-Policy needs no inline script.
//
// The chart's figures travel in a JSON script inside the polled part of the page (#rep-live).
// After each refresh the one chart is updated in place: no new Chart instance per poll, and
// the jurisdiction picked in the list stays picked.
(function () {
  "use strict";
  var chart = null;
  var data = null;

  function canvas() {
    return document.getElementById("rep-curve");
  }

  function sourceId(el) {
    return el.getAttribute("data-curve-data");
  }

  function read(el) {
    var source = document.getElementById(sourceId(el));
    return source ? JSON.parse(source.textContent) : null;
  }

  function picker() {
    return document.querySelector("[data-curve-select]");
  }

  // Keep the list of jurisdictions in step with the data (a child may appear or go),
  // holding on to the one chosen by name.
  function syncPicker(select) {
    var names = data.series.map(function (s) { return s.name; });
    var same = select.options.length === names.length && names.every(function (name, i) {
      return select.options[i].text === name;
    });
    if (same) return;
    var chosen = select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : null;
    select.replaceChildren();
    names.forEach(function (name, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = String(Math.max(0, names.indexOf(chosen)));
  }

  function selected() {
    var select = picker();
    return select ? parseInt(select.value, 10) || 0 : 0;
  }

  function draw(el) {
    if (typeof window.Chart === "undefined" || !data || !data.series.length) return;
    var series = data.series[selected()] || data.series[0];
    if (chart && chart.canvas === el) {
      chart.data.labels = data.labels;
      chart.data.datasets[0].label = series.name;
      chart.data.datasets[0].data = series.data;
      chart.update("none");
    } else {
      if (chart) chart.destroy();
      chart = new window.Chart(el, {
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
      });
    }
    el.setAttribute("data-drawn", "true");
  }

  function refresh() {
    var el = canvas();
    if (!el) return;
    var fresh = read(el);
    if (!fresh) return;
    data = fresh;
    var select = picker();
    if (select) syncPicker(select);
    draw(el);
    // A counter a test (or a person with the inspector open) can watch.
    el.setAttribute("data-refreshes", String((parseInt(el.getAttribute("data-refreshes"), 10) || 0) + 1));
  }

  function init() {
    var el = canvas();
    if (!el) return;
    var select = picker();
    if (select) {
      select.addEventListener("change", function () { draw(el); });
    }
    document.addEventListener("htmx:afterSwap", function (event) {
      var target = event.target;
      var id = sourceId(el);
      if (target && target.querySelector && (target.id === id || target.querySelector("#" + id))) {
        refresh();
      }
    });
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
