/* A map legend as a Leaflet control. Labels come from the page (translated on the server);
   colours are set through the CSSOM, never as style attributes (the CSP forbids inline style).
   legend = {title, items: [{label, colour, shape: "dot"|"area"|"rank", text}],
             ramp: {colours: [...], from, to}} */
(function () {
  "use strict";
  window.linliLegend = function (map, legend) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "linli-legend");
      if (legend.title) { L.DomUtil.create("div", "linli-legend-title", box).textContent = legend.title; }
      if (legend.ramp) {
        var bar = L.DomUtil.create("div", "linli-legend-ramp", box);
        bar.style.backgroundImage = "linear-gradient(to right, " + legend.ramp.colours.join(", ") + ")";
        var ends = L.DomUtil.create("div", "linli-legend-ends", box);
        L.DomUtil.create("span", "", ends).textContent = legend.ramp.from;
        L.DomUtil.create("span", "", ends).textContent = legend.ramp.to;
      }
      (legend.items || []).forEach(function (item) {
        var row = L.DomUtil.create("div", "linli-legend-row", box);
        var swatch = L.DomUtil.create("span", "linli-legend-swatch linli-legend-" + (item.shape || "dot"), row);
        if (item.colour) { swatch.style.backgroundColor = item.colour; swatch.style.borderColor = item.colour; }
        if (item.text) { swatch.textContent = item.text; }
        L.DomUtil.create("span", "", row).textContent = item.label;
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    map.getContainer().dataset.legend = "shown";
    return control;
  };
})();
