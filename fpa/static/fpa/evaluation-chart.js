/* 改革评估: the tasks of each plan measure as bars stacked by status (a bar part opens those
   tasks), and each township's assessment total over the years as lines (a point opens that
   year's round). Data: the json_script element evaluation-chart-data, built by
   fpa.dashboard.evaluation.chart_data. */
(function () {
  "use strict";
  var source = document.getElementById("evaluation-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
  var tooltip = {trigger: "axis", renderMode: "richText", axisPointer: {type: "shadow"}};

  var tasksEl = document.getElementById("evaluation-tasks-chart");
  if (tasksEl && data.tasks.labels.length) {
    var narrow = tasksEl.clientWidth < 576;
    tasksEl.style.height = Math.max(240, data.tasks.labels.length * (narrow ? 30 : 22) + 80) + "px";
    var measures = {type: "category", data: data.tasks.labels, inverse: true,
      axisLabel: {width: narrow ? 110 : 260, overflow: "truncate"}};
    var tasks = window.echarts.init(tasksEl);
    tasks.setOption({
      color: data.tasks.series.map(function (s) { return s.colour; }),
      tooltip: tooltip,
      legend: {top: 0},
      grid: {left: 8, right: 16, bottom: 8, top: 32, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: measures,
      series: data.tasks.series.map(function (s) {
        return {name: s.name, type: "bar", stack: "tasks", data: s.data, barMaxWidth: 16};
      })
    });
    tasks.on("click", function (params) {
      var link = data.tasks.series[params.seriesIndex].links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { tasks.resize(); });
  }

  var resultsEl = document.getElementById("evaluation-results-chart");
  if (resultsEl && data.results.years.length) {
    var results = window.echarts.init(resultsEl);
    results.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {type: "scroll", top: 0},
      grid: {left: 8, right: 16, bottom: 8, top: 32, containLabel: true},
      xAxis: {type: "category", data: data.results.years.map(String)},
      yAxis: {type: "value", max: 100},
      series: data.results.lines.map(function (line) {
        return {name: line.name, type: "line", data: line.data, connectNulls: false};
      })
    });
    results.on("click", function (params) {
      var link = data.results.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { results.resize(); });
  }
})();
