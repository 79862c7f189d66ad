/* Survey results: ECharts bars of the ranked needs and of each community's response rate.
   Data from a JSON block; no inline script (CSP). */
(function () {
  "use strict";
  var block = document.getElementById("survey-chart-data");
  if (!block || typeof echarts === "undefined") { return; }
  var data = JSON.parse(block.textContent);

  function bars(id, series) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element);
    chart.setOption({
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      title: { text: series.title, textStyle: { fontSize: 13 } },
      tooltip: {},
      xAxis: { type: "value", max: id === "rates-chart" ? 100 : null },
      yAxis: { type: "category", data: series.labels },
      series: [{ type: "bar", data: series.values, label: { show: true, position: "right" } }]
    });
    element.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bars("needs-chart", data.needs);
  bars("rates-chart", data.rates);
})();
