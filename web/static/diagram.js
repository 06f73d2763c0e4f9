// The request's BPMN diagram (bpmn-js NavigatedViewer, vendored), with the current step
// and the steps already done marked. The bpmn.io watermark stays visible (licence).
// On a phone the whole diagram would be drawn too small to read: it opens at a readable
// scale centred on the current step; buttons and keys (+ - 0, arrows) zoom and pan, and the
// mouse or a finger drags. The timeline beside it is the same route as text.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box || !window.BpmnJS || !window.fetch) { return; }
  var viewer = new window.BpmnJS({container: box});
  var READABLE = 0.8;  // below this scale labels are under about 9 px

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
    var tools = document.getElementById("diagram-tools");
    if (tools) { tools.hidden = true; }
    box.classList.add("failed");
    box.textContent = box.getAttribute("data-error");
  }

  function focusCurrent() {
    var canvas = viewer.get("canvas");
    canvas.zoom("fit-viewport");
    if (canvas.zoom() >= READABLE) { return; }
    var registry = viewer.get("elementRegistry");
    var ids = box.getAttribute("data-current").split(" ").filter(function (id) { return registry.get(id); });
    var target = ids.length ? registry.get(ids[0]) : null;
    var size = canvas.getSize();
    var view = canvas.viewbox();
    var cx = target ? target.x + target.width / 2 : view.x + size.width / (2 * READABLE);
    var cy = target ? target.y + target.height / 2 : view.y + view.height / 2;
    var width = size.width / READABLE, height = size.height / READABLE;
    canvas.viewbox({x: cx - width / 2, y: cy - height / 2, width: width, height: height});
  }

  function zoomBy(factor) {
    var canvas = viewer.get("canvas");
    canvas.zoom(Math.max(0.2, Math.min(4, canvas.zoom() * factor)), "auto");
  }

  var actions = {
    "in": function () { zoomBy(1.25); },
    "out": function () { zoomBy(0.8); },
    "fit": function () { viewer.get("canvas").zoom("fit-viewport"); }
  };
  var moves = {ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60]};

  function bindControls() {
    document.querySelectorAll("#diagram-tools button[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.getAttribute("data-zoom")](); });
    });
    box.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "+" || key === "=") { actions["in"](); }
      else if (key === "-") { actions.out(); }
      else if (key === "0") { actions.fit(); }
      else if (moves[key]) { viewer.get("canvas").scroll({dx: moves[key][0], dy: moves[key][1]}); }
      else { return; }
      event.preventDefault();
    });
  }

  fetch(box.getAttribute("data-xml"), {credentials: "same-origin"})
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      if (!viewer.get("elementRegistry").getAll().some(function (e) { return e.type !== "bpmn:Process"; })) {
        return fail();  // no diagram interchange in the file: nothing to draw
      }
      mark(box.getAttribute("data-done"), "step-done");
      mark(box.getAttribute("data-current"), "step-current");
      focusCurrent();
      bindControls();
      box.classList.add("ready");
    })
    .catch(fail);
})();
