/* The care fund's public home: income and expense of the last 12 months as bars.
   Data: the json_script elements fund-months, fund-income, fund-expense; the series names are
   the chart element's data-income-label and data-expense-label (translated in the template). */
(function () {
  "use strict";
  var el = document.getElementById("fund-chart");
  if (!el || !window.echarts) { return; }
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  var months = read("fund-months");
  function total(series) {
    return months.map(function (_, i) {
      return series.reduce(function (sum, s) { return sum + s.data[i]; }, 0);
    });
  }
  var chart = window.echarts.init(el);
  chart.setOption({
    color: ["#2f6fad", "#b0303a"],
    // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
    tooltip: {trigger: "axis", renderMode: "richText"},
    legend: {top: 0},
    grid: {left: 8, right: 8, bottom: 8, top: 32, containLabel: true},
    xAxis: {type: "category", data: months.map(function (m) { return m.slice(2); })},
    yAxis: {type: "value"},
    series: [
      {name: el.getAttribute("data-income-label"), type: "bar", data: total(read("fund-income")), barMaxWidth: 14},
      {name: el.getAttribute("data-expense-label"), type: "bar", data: total(read("fund-expense")), barMaxWidth: 14}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
