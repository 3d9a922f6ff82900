// Keyboard shortcuts for moderation (progressive enhancement): j/k move between queue rows,
// on the item page "a" approves, "r" and "t" move to the reject button and the themes.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "j" || key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll(".queue-link"));
      if (!links.length) { return; }
      var index = links.indexOf(document.activeElement);
      index = key === "j" ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
      links[index].focus();
      event.preventDefault();
      return;
    }
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) { return; }
    event.preventDefault();
    if (key === "a" && target.tagName === "BUTTON") { target.click(); } else { target.focus(); }
  });
})();
