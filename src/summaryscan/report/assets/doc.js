/* summaryscan screen report, document page: flash the highlight a link points at. */
(function () {
  "use strict";
  function flash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    var target = el.tagName === "MARK" ? el : el.nextElementSibling;
    if (!target || target.tagName !== "MARK") { return; }
    target.classList.add("flash");
    setTimeout(function () { target.classList.remove("flash"); }, 2000);
  }
  window.addEventListener("hashchange", flash);
  flash();
})();
