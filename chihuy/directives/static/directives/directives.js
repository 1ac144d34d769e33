// Task form: show only the assignee fields of the chosen kind. Loaded as a file (strict CSP).
(function () {
  "use strict";
  var FIELDS = { member: "assignee_member", agency: "assignee_agency", centres: "assignee_centres" };
  function sync(form) {
    var checked = form.querySelector("input[name=assignee_kind]:checked");
    if (!checked) return;
    Object.keys(FIELDS).forEach(function (kind) {
      var input = form.querySelector("[name=" + FIELDS[kind] + "]");
      var box = input && input.closest(".field");
      if (box) box.hidden = kind !== checked.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "assignee_kind" && event.target.form) sync(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-task-form]").forEach(sync);
  });
})();
