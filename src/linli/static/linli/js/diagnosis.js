/* Diagnosis result: a choropleth of 10-minute coverage for the chosen scenario and an
   ECharts bar chart of coverage by scenario and life circle. Data come from data-* attributes
   and a JSON data block; no inline script (CSP). */
(function () {
  "use strict";

  function shade(share) {
    if (share === null || share === undefined) { return "#adb5bd"; }
    // Red (no coverage) to green (everyone within 10 minutes).
    var hue = Math.round(120 * Math.max(0, Math.min(1, share)));
    return "hsl(" + hue + ", 70%, 45%)";
  }

  function drawMap(element, select) {
    var map = L.map(element);
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    var layer = null;
    fetch(element.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        function paint() {
          var key = "covered_" + select.value;
          if (layer) { map.removeLayer(layer); }
          layer = L.geoJSON(collection, {
            style: function (feature) {
              return { color: "#343a40", weight: 1, fillColor: shade(feature.properties[key]), fillOpacity: 0.7 };
            },
            onEachFeature: function (feature, featureLayer) {
              var p = feature.properties, share = p[key];
              var text = p.name + ": " + (share === null || share === undefined ? "—" : Math.round(share * 100) + "%");
              featureLayer.bindTooltip(text);
            }
          }).addTo(map);
          element.dataset.painted = select.value;
        }
        paint();
        linliLegend(map, {
          title: element.dataset.legendTitle,
          ramp: { colours: [shade(0), shade(0.5), shade(1)], from: "0%", to: "100%" },
          items: [{ shape: "area", colour: shade(null), label: element.dataset.legendNone }]
        });
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        select.addEventListener("change", paint);
      });
  }

  function drawChart(element, data) {
    var chart = echarts.init(element);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: data.scenarios, inverse: true },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  /* Click a column head to sort the community table by it (again to reverse). Cells carry
     their raw value in data-sort; missing values sort last. */
  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (head, column) {
      head.classList.add("sortable");
      head.addEventListener("click", function () {
        var descending = head.dataset.order !== "desc";
        Array.prototype.forEach.call(heads, function (h) { delete h.dataset.order; });
        head.dataset.order = descending ? "desc" : "asc";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
          if (x === "" || x === undefined) { return 1; }
          if (y === "" || y === undefined) { return -1; }
          var nx = Number(x), ny = Number(y);
          var order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y, "zh") : nx - ny;
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  var table = document.getElementById("diagnosis-table");
  if (table) { sortable(table); }
  var mapElement = document.getElementById("diagnosis-map");
  if (mapElement) { drawMap(mapElement, document.getElementById("scenario-select")); }
  var chartElement = document.getElementById("coverage-chart");
  if (chartElement) {
    drawChart(chartElement, JSON.parse(document.getElementById("coverage-chart-data").textContent));
  }
})();
