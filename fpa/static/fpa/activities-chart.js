/* Activities: a campaign's progress per target and the figures per child association, as bars
   (horizontal on a narrow screen). Data: the json_script element activities-chart-data
   ({labels: [...], series: [{name, data}], links: [...], stack: bool}); a bar whose label has a
   link opens it (the same page the table's line links to). */
(function () {
  "use strict";
  var el = document.getElementById("activities-chart");
  var source = document.getElementById("activities-chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  if (!data.labels.length || !data.series.length) { el.hidden = true; return; }
  var narrow = el.clientWidth < 576;
  if (narrow) { el.style.height = Math.max(260, data.labels.length * (data.stack ? 34 : 60) + 90) + "px"; }
  var chart = window.echarts.init(el);
  var categories = {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: !narrow && data.labels.length > 6 ? 35 : 0}};
  var values = {type: "value", minInterval: 1};
  if (narrow) { categories.inverse = true; }
  chart.setOption({
    color: ["#2f6fad", "#3a9a5b", "#d08c1f", "#b0303a", "#6b4fa3", "#1f8a8a", "#8a5a1f", "#777777"],
    // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
    tooltip: {trigger: "axis", renderMode: "richText", axisPointer: {type: "shadow"}},
    legend: {top: 0, type: "scroll"},
    grid: {left: 8, right: 16, bottom: 8, top: 36, containLabel: true},
    xAxis: narrow ? values : categories,
    yAxis: narrow ? categories : values,
    series: data.series.map(function (s) {
      var bar = {name: s.name, type: "bar", data: s.data, barMaxWidth: 22};
      if (data.stack) { bar.stack = "all"; }
      return bar;
    })
  });
  chart.on("click", function (params) {
    var link = data.links && data.links[params.dataIndex];
    if (link) { window.location.href = link; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
