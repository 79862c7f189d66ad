/* The programme dashboard's charts (ECharts, packaged). Data come from a JSON block; each bar
   carries the link of the list it sums, and a click opens that list. No inline script (CSP). */
(function () {
  "use strict";
  var block = document.getElementById("dashboard-data");
  if (!block || typeof echarts === "undefined") { return; }
  var data = JSON.parse(block.textContent);

  function open(params) {
    if (params.data && params.data.url) { window.location.href = params.data.url; }
  }

  function bars(id, categories, series, options) {
    var element = document.getElementById(id);
    if (!element || !categories.length) { return; }
    var chart = echarts.init(element);
    chart.setOption(Object.assign({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: categories, inverse: true },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data.map(function (p) { return p || { value: 0 }; }) };
      })
    }, options || {}));
    chart.on("click", open);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  bars("chart-facilities", data.facilities.categories, data.facilities.series);
  bars("chart-money", data.money.categories, [{ name: "", data: data.money.data }], { legend: { show: false } });
  bars("chart-stages", data.stages.categories, [{ name: "", data: data.stages.data }], { legend: { show: false } });
  bars("chart-coverage", data.coverage.categories, data.coverage.series, { xAxis: { type: "value", max: 100 } });
})();
