// The solutions board without a mouse works through each card's "Move" form. With a mouse, a
// card dropped on another column opens that form with the column's status chosen, so that the
// date and the amounts are confirmed before anything is saved.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;
  var dragged = null;

  board.querySelectorAll("[data-card]").forEach(function (card) {
    if (!card.querySelector("[data-move-status]")) return; // the user may not move it
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id || "card");
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("is-dragging");
      dragged = null;
      board.querySelectorAll(".is-drop-target").forEach(function (column) {
        column.classList.remove("is-drop-target");
      });
    });
  });

  board.querySelectorAll("[data-column]").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      column.classList.add("is-drop-target");
    });
    column.addEventListener("dragleave", function (event) {
      if (!column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
    });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("is-drop-target");
      if (!dragged) return;
      var status = column.getAttribute("data-column");
      var details = dragged.querySelector("details");
      var select = dragged.querySelector("[data-move-status]");
      if (!details || !select || dragged.getAttribute("data-status") === status) return;
      select.value = status;
      details.open = true;
      var next = status === "granted" ? dragged.querySelector("[data-move-granted]") : select;
      dragged.scrollIntoView({ block: "nearest" });
      (next || select).focus();
    });
  });
})();
