// Route preview while the form is filled in: posts the form to the JSON preview endpoint
// and redraws the list. Without JavaScript the "Preview route" button does the same by a
// full page round trip, so this file only makes it quicker.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  var box = document.getElementById("preview");
  if (!form || !box || !window.fetch) { return; }
  var list = document.getElementById("preview-steps");
  var error = document.getElementById("preview-error");
  var empty = document.getElementById("preview-empty");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null;
  var touched = {};  // fields changed here: only their messages are redrawn (the server's stay)

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function showFieldErrors(errors) {
    form.querySelectorAll(".field[data-field]").forEach(function (field) {
      var name = field.getAttribute("data-field");
      if (!touched[name]) { return; }
      var slot = document.getElementById("e-" + name);
      if (!slot) { return; }
      var message = errors[name] || "";
      slot.textContent = message;
      slot.hidden = !message;
      field.classList.toggle("has-error", !!message);
      var control = document.getElementById("f-" + name);
      if (control) {
        if (message) { control.setAttribute("aria-invalid", "true"); }
        else { control.removeAttribute("aria-invalid"); }
      }
    });
  }

  function draw(data) {
    list.textContent = "";
    error.hidden = !data.error;
    error.textContent = data.error || "";
    data.steps.forEach(function (s) {
      var li = el("li", s.shown ? "shown" : "removed");
      li.appendChild(el("span", "step", s.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "kind", s.kind));
      var who = el("span", "who", s.person_name);
      who.appendChild(el("small", "", s.person_title));
      li.appendChild(who);
      li.appendChild(el("span", "why", s.role + " · " + s.reason));
      if (s.together) { li.appendChild(el("span", "together", s.together)); }
      list.appendChild(li);
    });
    empty.hidden = data.steps.length > 0 || !!data.error;
    if (!data.steps.length) { empty.textContent = empty.getAttribute("data-nobody"); }
    showFieldErrors(data.errors || {});
  }

  function refresh() {
    var body = new FormData(form);
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      body.delete(input.name);  // the route never depends on a file's content
      if (input.files.length) { body.append(input.name, new Blob([]), input.files[0].name); }
    });
    fetch(box.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name) { touched[event.target.name] = true; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  document.getElementById("preview-button").addEventListener("click", function (event) {
    event.preventDefault();
    refresh();
  });
  refresh();
})();
