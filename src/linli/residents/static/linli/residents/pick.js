/* Residents' map: tap a point to search from it (fills the hidden lon/lat of the form and
   submits); without JavaScript the search runs from the resident's compound. No inline script
   (the CSP forbids it). */
(function () {
  "use strict";
  var element = document.getElementById("pick-map");
  if (!element || !window.L) { return; }
  var lon = parseFloat(element.dataset.lon), lat = parseFloat(element.dataset.lat);
  var start = isNaN(lon) ? [34.75, 113.6] : [lat, lon];
  var map = L.map(element).setView(start, 15);
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
  if (!isNaN(lon)) { L.circleMarker(start, { radius: 7, color: "#1c7ed6" }).addTo(map); }
  map.on("click", function (event) {
    var form = document.getElementById("find-form");
    form.querySelector("[name=lon]").value = event.latlng.lng.toFixed(6);
    form.querySelector("[name=lat]").value = event.latlng.lat.toFixed(6);
    form.submit();
  });
})();
