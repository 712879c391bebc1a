/* The cost report's bar chart: expected vs actual per row, in the base currency.
   The numbers come from the page's json_script block (#cost-chart-data), the same
   Decimal strings the table shows; they become JS numbers only to be drawn. */
(function () {
  "use strict";
  var source = document.getElementById("cost-chart-data");
  var canvas = document.getElementById("cost-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var language = document.documentElement.lang === "en" ? "en-GB" : "pl-PL";
  var format = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var toNumbers = function (values) {
    return values.map(function (value) { return Number(value); });
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.expectedLabel, data: toNumbers(data.expected), backgroundColor: "rgba(13, 110, 253, 0.45)", borderColor: "rgb(13, 110, 253)", borderWidth: 1 },
        { label: data.actualLabel, data: toNumbers(data.actual), backgroundColor: "rgba(253, 126, 20, 0.55)", borderColor: "rgb(253, 126, 20)", borderWidth: 1 }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { beginAtZero: true, ticks: { callback: function (value) { return format.format(value); } } }
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + format.format(context.parsed.y) + " " + data.currency;
            }
          }
        }
      }
    }
  });
})();
