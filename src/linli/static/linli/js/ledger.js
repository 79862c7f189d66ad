// The ledger by milestone (资金下达 by 工程进度): the cumulative ceiling of each milestone as
// bars, what has been released by then as a line, the approved subsidy as a mark line.
(function () {
  "use strict";
  var element = document.getElementById("ledger-chart");
  var source = document.getElementById("ledger-chart-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("ledger-chart-labels").textContent);
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [labels.ceiling, labels.released] },
    grid: { left: 90, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.milestones },
    yAxis: { type: "value" },
    series: [
      {
        name: labels.ceiling,
        type: "bar",
        data: data.ceiling,
        itemStyle: { color: "#a6c8f0" },
        markLine: {
          symbol: "none",
          data: [{ yAxis: data.approved, name: labels.approved }],
          label: { formatter: labels.approved },
          lineStyle: { color: "#d63939" }
        }
      },
      { name: labels.released, type: "line", data: data.released, connectNulls: false,
        itemStyle: { color: "#2fb344" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
