// The projector of a live room: the turnout follows the votes without reloading (polling the room's status every
// few seconds); when the facilitator reveals the results, the page reloads to show them. Without JavaScript the page
// refreshes itself (meta refresh in <noscript>).
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-status-url");
  var seconds = parseInt(body.getAttribute("data-poll"), 10) || 3;
  var revealed = body.getAttribute("data-revealed") === "true";
  var turnout = document.getElementById("turnout");
  if (!url) { return; }
  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        var status = JSON.parse(request.responseText);
        if (status.revealed !== revealed || !status.live) { window.location.reload(); return; }
        if (turnout && String(status.turnout) !== turnout.textContent) { turnout.textContent = String(status.turnout); }
      } else if (request.status === 404) {
        window.location.reload();
        return;
      }
      window.setTimeout(poll, seconds * 1000);
    };
    request.onerror = function () { window.setTimeout(poll, seconds * 1000 * 2); };
    request.send();
  }
  window.setTimeout(poll, seconds * 1000);
})();
