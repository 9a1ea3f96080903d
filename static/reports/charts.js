// Draw every chart of a reports page: specs come from the page's "charts" JSON script element.
(function () {
  "use strict";
  var source = document.getElementById("charts");
  if (!source || typeof Plotly === "undefined") { return; }
  var specs = JSON.parse(source.textContent);
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = specs[el.dataset.chart];
    if (!spec) { return; }
    Plotly.newPlot(el, spec.data, spec.layout, { displaylogo: false, responsive: true })
      .then(function () { el.dataset.rendered = "true"; });
  });
})();
