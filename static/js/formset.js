// Field schema rows without a reload: add a blank row, move a row up or down.
// The page works without this script: it always offers blank rows and an "Order" number per row.
(function () {
  "use strict";

  function isFilled(row) {
    // Blank extra rows must stay untouched, or the server would validate them as new fields.
    return Array.prototype.some.call(
      row.querySelectorAll("input[type=text], input[type=email]"),
      function (input) { return input.value.trim() !== ""; }
    );
  }

  function renumber(body) {
    var position = 0;
    body.querySelectorAll("[data-formset-row]").forEach(function (row) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order && (isFilled(row) || order.value !== "")) {
        position += 1;
        order.value = position;
      }
    });
  }

  function move(row, direction) {
    var sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) { return; }
    row.parentNode.insertBefore(row, direction === "up" ? sibling : sibling.nextElementSibling);
    renumber(row.parentNode);
  }

  function showTools(scope) {
    scope.querySelectorAll("[data-formset-move]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function setUp(root) {
    var prefix = root.dataset.formset;
    var total = root.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = root.querySelector("template[data-formset-template]");
    var body = root.querySelector("[data-formset-body]");
    var add = root.querySelector("[data-formset-add]");

    add.hidden = false;
    add.addEventListener("click", function () {
      var index = Number(total.value);
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      showTools(body.lastElementChild);
      body.lastElementChild.querySelector("input, select").focus();
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-formset-move]");
      if (button) { move(button.closest("[data-formset-row]"), button.dataset.formsetMove); }
    });
    showTools(body);
  }

  document.querySelectorAll("[data-formset]").forEach(setUp);
})();
