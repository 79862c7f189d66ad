/* Site plan map: the recommended sites, numbered by rank, each with the area its walking
   distance reaches along the streets (from the planning engine's bounded searches, not a
   circle) and the homes of the residents who gain; a legend says which is which. No inline
   script (CSP). */
(function () {
  "use strict";
  var element = document.getElementById("site-plan-map");
  if (element) {
    var data = JSON.parse(document.getElementById("site-plan-data").textContent);
    var map = L.map(element);
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    // Leaflet places circles in metres only once the map has a view: set it first.
    if (data.sites.length) {
      var points = data.sites.map(function (site) { return [site.lat, site.lon]; });
      map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 16 });
    } else { map.setView([35, 105], 4); }
    var group = L.featureGroup().addTo(map);
    var palette = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#d6336c", "#5c940d"];
    data.sites.forEach(function (site, i) {
      var colour = palette[i % palette.length];
      if (site.reach) {
        L.geoJSON(site.reach, { style: { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.12 } })
          .bindTooltip(site.rank + ". " + site.name).addTo(group);
      }
      // Where the residents who gain live: the site's catchment along the streets.
      site.points.forEach(function (p) {
        L.circleMarker([p[1], p[0]], { radius: 4, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.8 })
          .bindTooltip(site.rank + ". " + site.name).addTo(group);
        L.polyline([[site.lat, site.lon], [p[1], p[0]]], { color: colour, weight: 1, opacity: 0.5 }).addTo(group);
      });
      L.marker([site.lat, site.lon], {
        icon: L.divIcon({ className: "plan-rank", html: String(site.rank), iconSize: [24, 24] })
      }).bindTooltip(site.rank + ". " + site.name + " — " + site.services).addTo(group);
    });
    fetch(element.dataset.layerUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 3, color: "#868e96", weight: 1, fillOpacity: 0.5 });
          }
        }).addTo(map).bringToBack();
      });
    var legend = data.legend;
    linliLegend(map, {
      title: legend.title,
      items: [
        { shape: "rank", colour: "#1c7ed6", text: "1", label: legend.sites },
        { shape: "area", colour: palette[0], label: legend.reach },
        { shape: "dot", colour: palette[0], label: legend.residents },
        { shape: "dot", colour: "#868e96", label: legend.others }
      ]
    });
    element.dataset.sites = String(data.sites.length);
  }
  document.querySelectorAll(".compare-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location.href = form.dataset.base + form.elements.other.value + "/";
    });
  });
})();
