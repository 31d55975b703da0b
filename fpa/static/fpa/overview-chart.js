/* Overview (驾驶舱): one bar chart per figure over the child associations (horizontal on a
   narrow screen). Data: the json_script element overview-chart-data
   ({labels: [...], charts: [{key, name, unit, data: [...], links: [...]}]}); each chart element
   carries data-overview-chart="<index in charts>". A bar opens the records behind it. */
(function () {
  "use strict";
  var source = document.getElementById("overview-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var elements = document.querySelectorAll("[data-overview-chart]");
  Array.prototype.forEach.call(elements, function (el) {
    var spec = data.charts[Number(el.getAttribute("data-overview-chart"))];
    if (!spec || !data.labels.length) { el.hidden = true; return; }
    var narrow = el.clientWidth < 576;
    if (narrow) { el.style.height = Math.max(220, data.labels.length * 28 + 60) + "px"; }
    var chart = window.echarts.init(el);
    var categories = {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: narrow ? 0 : 45}};
    var values = {type: "value", minInterval: 1};
    if (spec.unit === "%") { values = {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}; }
    if (narrow) { categories.inverse = true; }
    chart.setOption({
      color: [spec.key === "overdue" ? "#b0303a" : (spec.key === "activities" ? "#3a9a5b" : "#2f6fad")],
      // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
      tooltip: {trigger: "axis", renderMode: "richText", axisPointer: {type: "shadow"}},
      grid: {left: 8, right: 16, bottom: 8, top: 12, containLabel: true},
      xAxis: narrow ? values : categories,
      yAxis: narrow ? categories : values,
      series: [{name: spec.name, type: "bar", data: spec.data, barMaxWidth: 18}]
    });
    chart.on("click", function (params) {
      var link = spec.links && spec.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
