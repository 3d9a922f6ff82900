// A table wider than the screen scrolls sideways in its .table-scroll box. Keyboard users can only scroll
// a box they can focus: when (and only while) the box overflows, it becomes a focusable region named after the
// table's caption. Without JavaScript, browsers that make scrolling boxes focusable themselves still work.
(function () {
  "use strict";
  function update(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    if (overflows && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.replace(/\s+/g, " ").trim() : document.title);
    } else if (!overflows && box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function updateAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), update);
  }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(updateAll, 150);
  });
  updateAll();
})();
