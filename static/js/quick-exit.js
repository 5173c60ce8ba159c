// Quick exit: leave for a harmless site and replace this page in the browser history, so
// "Back" does not return here. For a logged-in member the button's form first ends the
// session on the server (POST /exit/); here that POST is sent in the background and the
// page is then replaced by GET /exit/, which redirects to the harmless site. Without
// JavaScript the form (or the visitor's link) does the same, only without replacing the
// history entry: member pages are never stored, so Back asks the server and gets the
// login page. Pressing Escape twice quickly does the same as the button.
(function () {
  "use strict";
  var form = document.getElementById("quick-exit-form");
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  var exitUrl = form ? form.action : link.href;
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    if (!form) {
      window.location.replace(exitUrl);
      return;
    }
    var go = function () {
      window.location.replace(exitUrl);
    };
    fetch(exitUrl, { method: "POST", credentials: "same-origin", redirect: "manual", keepalive: true })
      .then(go, go);
  }
  (form || link).addEventListener(form ? "submit" : "click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    if (now - lastEscape < 800) {
      leave(event);
    }
    lastEscape = now;
  });
})();
