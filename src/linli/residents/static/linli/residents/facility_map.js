/* A facility's place on a small map (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  var element = document.getElementById("pick-map");
  if (!element || !window.L) { return; }
  var at = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
  var map = L.map(element).setView(at, 16);
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  L.circleMarker(at, { radius: 8, color: "#d6336c" }).addTo(map);
})();
