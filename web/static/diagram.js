// The request's BPMN diagram (bpmn-js NavigatedViewer, vendored), with the current step
// and the steps already done marked. The bpmn.io watermark stays visible (licence).
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || !window.BpmnJS || !window.fetch) { return; }
  var viewer = new window.BpmnJS({container: box});

  function mark(ids, cls) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    ids.split(" ").filter(Boolean).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, cls); }
    });
  }

  function fail() {
    var legend = document.getElementById("diagram-legend");
    if (legend) { legend.hidden = true; }
    box.classList.add("failed");
    box.textContent = box.getAttribute("data-error");
  }

  fetch(box.getAttribute("data-xml"), {credentials: "same-origin"})
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      if (!viewer.get("elementRegistry").getAll().some(function (e) { return e.type !== "bpmn:Process"; })) {
        return fail();  // no diagram interchange in the file: nothing to draw
      }
      canvas.zoom("fit-viewport");
      mark(box.getAttribute("data-done"), "step-done");
      mark(box.getAttribute("data-current"), "step-current");
      box.classList.add("ready");
    })
    .catch(fail);
})();
