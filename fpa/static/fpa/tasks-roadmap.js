/* The reform roadmap: one row per plan measure, one bar per task from its start to its
   deadline, coloured by its status, with today as a line. A click opens the task.
   Data: the json_script element roadmap-data
   ({measures: [...], bars: [{row, id, url, title, unit, start, end, progress, status, colour}],
     today, legend: [{label, colour}]}). */
(function () {
  "use strict";
  var el = document.getElementById("roadmap-chart");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("roadmap-data").textContent);
  var narrow = el.clientWidth < 576;
  var lanes = data.measures.length;
  el.style.height = Math.max(260, lanes * (narrow ? 56 : 44) + 110) + "px";
  var day = function (iso) { return new Date(iso + "T00:00:00").getTime(); };
  // Bars of one measure share its row: each bar gets a slot inside the row.
  var slots = {};
  data.bars.forEach(function (bar) { slots[bar.row] = (slots[bar.row] || 0) + 1; });
  var seen = {};
  var items = data.bars.map(function (bar) {
    var slot = seen[bar.row] || 0;
    seen[bar.row] = slot + 1;
    return {
      value: [bar.row, day(bar.start), day(bar.end) + 86400000, slot, slots[bar.row]],
      itemStyle: {color: bar.colour},
      bar: bar
    };
  });
  var render = function (params, api) {
    var row = api.value(0);
    var start = api.coord([api.value(1), row]);
    var end = api.coord([api.value(2), row]);
    var band = api.size([0, 1])[1] * 0.8;
    var height = Math.max(3, band / api.value(4) - 2);
    var top = start[1] - band / 2 + api.value(3) * (height + 2);
    var shape = window.echarts.graphic.clipRectByRect(
      {x: start[0], y: top, width: Math.max(2, end[0] - start[0]), height: height},
      {x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height}
    );
    return shape && {type: "rect", shape: shape, style: {fill: api.visual("color")}};
  };
  var chart = window.echarts.init(el);
  chart.setOption({
    // Drawn on the canvas: the HTML tooltip carries style="" attributes the policy refuses.
    tooltip: {
      renderMode: "richText",
      formatter: function (p) {
        var b = p.data.bar;
        return b.title + "\n" + b.unit + "\n" + b.start + " ~ " + b.end + "\n" + b.status + " · " + b.progress + "%";
      }
    },
    legend: {
      top: 0,
      data: data.legend.map(function (l) { return {name: l.label, itemStyle: {color: l.colour}}; })
    },
    grid: {left: 8, right: 16, bottom: 8, top: 40, containLabel: true},
    xAxis: {type: "time", position: "top", splitLine: {show: true}},
    yAxis: {
      type: "category",
      inverse: true,
      data: data.measures,
      axisLabel: {width: narrow ? 90 : 220, overflow: "truncate"}
    },
    series: [
      {type: "custom", renderItem: render, encode: {x: [1, 2], y: 0}, data: items},
      {
        type: "line",
        data: [],
        markLine: {symbol: "none", silent: true, label: {formatter: data.today}, lineStyle: {color: "#b0303a"}, data: [{xAxis: day(data.today)}]}
      }
    ].concat(data.legend.map(function (l) { return {name: l.label, type: "bar", data: [], itemStyle: {color: l.colour}}; }))
  });
  chart.on("click", function (p) {
    if (p.data && p.data.bar && p.data.bar.url.charAt(0) === "/") { window.location.href = p.data.bar.url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
