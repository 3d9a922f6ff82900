// Keyboard-first entry of the ideas heard at an event (progressive enhancement of the "one idea per line" box):
// each idea gets its own line; Enter adds the next line, Backspace on an empty line goes back to the previous one,
// Ctrl+Enter sends. The lines are joined into the box when the form is sent, so the server reads the same field.
(function () {
  "use strict";
  var form = document.querySelector("form.ideas-entry");
  var box = form && form.querySelector("textarea[name=ideas]");
  if (!box) { return; }
  var list = document.createElement("ol");
  list.className = "idea-lines";
  var lineLabel = box.getAttribute("data-line-label") || (document.documentElement.lang.indexOf("en") === 0 ? "Idea" : "Idée");

  function renumber() {
    Array.prototype.forEach.call(list.querySelectorAll("input"), function (input, index) {
      input.setAttribute("aria-label", lineLabel + " " + (index + 1));
    });
  }
  function addLine(after, value) {
    var item = document.createElement("li");
    var input = document.createElement("input");
    input.type = "text";
    input.className = "idea-line";
    input.value = value || "";
    input.maxLength = 5000;
    item.appendChild(input);
    if (after && after.parentNode.nextSibling) {
      list.insertBefore(item, after.parentNode.nextSibling);
    } else {
      list.appendChild(item);
    }
    renumber();
    return input;
  }
  list.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (input.value.trim()) { addLine(input).focus(); }
    } else if (event.key === "Backspace" && !input.value && list.children.length > 1) {
      event.preventDefault();
      var previous = input.parentNode.previousSibling || input.parentNode.nextSibling;
      list.removeChild(input.parentNode);
      renumber();
      previous.querySelector("input").focus();
    }
  });
  form.addEventListener("submit", function () {
    box.value = Array.prototype.map.call(list.querySelectorAll("input"), function (input) {
      return input.value.trim();
    }).filter(Boolean).join("\n");
  });
  var lines = box.value.split("\n").filter(function (line) { return line.trim(); });
  (lines.length ? lines : [""]).forEach(function (line) { addLine(null, line); });
  box.hidden = true;
  box.parentNode.insertBefore(list, box.nextSibling);
  var hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = box.getAttribute("data-keys-hint") || "";
  if (hint.textContent) { box.parentNode.insertBefore(hint, list); }
})();
