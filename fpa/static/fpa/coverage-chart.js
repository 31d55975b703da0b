/* Families coverage: the shares per association as bars (horizontal on a narrow screen).
   Data: the json_script element coverage-data ({labels: [...], series: [{name, data}]}). */
(function () {
  "use strict";
  var el = document.getElementById("coverage-chart");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  var narrow = el.clientWidth < 576;
  if (narrow) { el.style.height = Math.max(260, data.labels.length * 72 + 90) + "px"; }
  var chart = window.echarts.init(el);
  var categories = {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: !narrow && data.labels.length > 6 ? 35 : 0}};
  var values = {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}};
  if (narrow) { categories.inverse = true; }
  chart.setOption({
    color: ["#b0303a", "#2f6fad", "#3a9a5b", "#d08c1f", "#6b4fa3"],
    // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
    tooltip: {
      trigger: "axis",
      renderMode: "richText",
      axisPointer: {type: "shadow"},
      valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
    },
    legend: {top: 0},
    grid: {left: 8, right: 16, bottom: 8, top: 36, containLabel: true},
    xAxis: narrow ? values : categories,
    yAxis: narrow ? categories : values,
    series: data.series.map(function (s) { return {name: s.name, type: "bar", data: s.data, barMaxWidth: 18}; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
