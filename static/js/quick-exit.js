// Quick exit: leave for a harmless site and replace this page in the browser history, so
// "Back" does not return here. Without JavaScript the link still leaves (it only stays in
// the history). Pressing Escape twice quickly does the same as the button.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
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
