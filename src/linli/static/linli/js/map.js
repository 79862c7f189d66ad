/* Registry maps: each .linli-map element names its GeoJSON layer and tile source in data-*
   attributes; no inline script (the CSP forbids it). */
(function () {
  "use strict";
  var SCENARIO_COLOURS = {
    elderly_care: "#d6336c", infant_care: "#f59f00", child_afterschool: "#74b816",
    community_meals: "#e8590c", home_services: "#1098ad", health: "#2f9e44",
    fitness: "#4263eb", culture_leisure: "#7048e8", child_play: "#ae3ec9"
  };
  var SOURCE_COLOURS = { renovate: "#1971c2", convert: "#e67700", transfer: "#2b8a3e", co_build: "#862e9c" };

  function colour(properties) {
    if (properties.kind === "complex") { return "#212529"; }
    if (properties.scenarios && properties.scenarios.length) {
      return SCENARIO_COLOURS[properties.scenarios[0]] || "#868e96";
    }
    if (properties.space_source) { return SOURCE_COLOURS[properties.space_source] || "#868e96"; }
    return "#868e96";
  }

  /* Polygons (communities) shade by the share of residents aged 60+; points keep the
     colours pointToLayer gave them. */
  function polygonStyle(feature, focus) {
    if (feature.geometry.type === "Point") { return {}; }
    var share = feature.properties.elderly_share || 0;
    var opacity = Math.min(0.75, Math.max(0.1, (share - 0.1) * 3));
    var focused = focus && feature.properties.url === focus;
    return { color: focused ? "#1c7ed6" : "#495057", weight: focused ? 3 : 1, fillColor: "#d6336c", fillOpacity: opacity };
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function popup(feature, layer) {
    var p = feature.properties;
    layer.bindPopup('<a href="' + encodeURI(p.url) + '">' + escapeHtml(p.name) + "</a>");
  }

  /* The server names what each colour means; the colours themselves are the ones above. */
  function legend(map, spec) {
    if (!spec) { return; }
    var colours = Object.assign({ complex: "#212529" }, SCENARIO_COLOURS, SOURCE_COLOURS);
    linliLegend(map, {
      title: spec.title,
      ramp: spec.ramp && { colours: ["rgba(214, 51, 108, 0.1)", "rgba(214, 51, 108, 0.75)"], from: spec.ramp.from, to: spec.ramp.to },
      items: (spec.items || []).map(function (item) {
        return { shape: "dot", colour: colours[item.key] || "#868e96", label: item.label };
      })
    });
  }

  function draw(element) {
    var map = L.map(element);
    L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    fetch(element.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var focus = element.dataset.focus;
        var focusedLayer = null;
        var layer = L.geoJSON(collection, {
          style: function (feature) { return polygonStyle(feature, focus); },
          pointToLayer: function (feature, latlng) {
            var focused = focus && feature.properties.url === focus;
            return L.circleMarker(latlng, {
              radius: focused ? 9 : 5, weight: focused ? 3 : 1, color: "#fff",
              fillColor: colour(feature.properties), fillOpacity: 0.9
            });
          },
          onEachFeature: function (feature, featureLayer) {
            popup(feature, featureLayer);
            if (focus && feature.properties.url === focus) { focusedLayer = featureLayer; }
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (focusedLayer && focusedLayer.getBounds) { bounds = focusedLayer.getBounds(); }
        else if (focusedLayer) { bounds = L.latLngBounds([focusedLayer.getLatLng()]).pad(0.01); }
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 16 }); } else { map.setView([35, 105], 4); }
        legend(map, collection.legend);
        element.dataset.features = String(collection.features.length);
      });
  }

  document.querySelectorAll(".linli-map").forEach(draw);
})();
