/* Leaflet's own controls speak the page's language (its defaults are English): loaded right
   after leaflet.js, before any map is made. */
(function () {
  "use strict";
  if (!window.L) { return; }
  L.Control.Attribution.prototype.options.prefix =
    '<a href="https://leafletjs.com" translate="no">Leaflet</a>';
  if ((document.documentElement.lang || "").indexOf("zh") === 0) {
    L.Control.Zoom.prototype.options.zoomInTitle = "放大";
    L.Control.Zoom.prototype.options.zoomOutTitle = "缩小";
  }
})();
