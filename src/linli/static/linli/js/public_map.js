/* Public progress pages: a marker for each published project; the points come from hidden
   elements inside the map (no inline script, CSP). */
(function () {
  "use strict";
  var element = document.getElementById("public-map");
  if (!element || typeof L === "undefined") { return; }
  var points = element.querySelectorAll(".public-point");
  if (!points.length) { return; }
  var map = L.map(element);
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  var markers = [];
  points.forEach(function (point) {
    // The project's name is the marker's text for screen readers (Leaflet's default is "Marker").
    var marker = L.marker([parseFloat(point.dataset.lat), parseFloat(point.dataset.lon)], {
      alt: point.dataset.name, title: point.dataset.name
    }).addTo(map);
    var label = document.createElement(point.dataset.url ? "a" : "span");
    label.textContent = point.dataset.name;
    if (point.dataset.url) { label.href = point.dataset.url; }
    marker.bindPopup(label);
    markers.push(marker);
  });
  map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [24, 24], maxZoom: 16 });
})();
