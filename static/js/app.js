// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // "/" focuses the page's search field, unless the user is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var search = document.querySelector("[data-search-shortcut]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // On a narrow screen (a phone, or a laptop zoomed to 200 %) the menu folds behind its "Menu"
  // button, so that the page starts at the top of the screen; without this script it stays open.
  var toggle = document.querySelector("[data-menu-toggle]");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (menu) {
    var narrow = window.matchMedia("(max-width: 768px)");
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-folded", !open);
    };
    var fit = function () {
      toggle.hidden = !narrow.matches;
      setOpen(!narrow.matches);
    };
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    narrow.addEventListener("change", fit);
    fit();
  }

  // A wide table scrolls in its own box (.table-responsive). While it does, the box takes the
  // keyboard focus so that the arrow keys can scroll it (WCAG 2.1.1), named after its caption.
  var boxes = document.querySelectorAll(".table-responsive:not([tabindex])");
  var markScrolling = function () {
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls === box.hasAttribute("tabindex")) return;
      var caption = box.querySelector("caption");
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        if (caption) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  };
  if (boxes.length && window.ResizeObserver) {
    // The box or its table changing size (the window, a web font arriving) may start or end
    // the scrolling; the observer also calls once at the start.
    var observer = new ResizeObserver(markScrolling);
    boxes.forEach(function (box) {
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  }
})();
