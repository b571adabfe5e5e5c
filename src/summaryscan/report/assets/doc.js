/* summaryscan screen report, document page: flash the highlight a link points at, and let a
   click on a finding that refers to an earlier place (前后不一) go there. */
(function () {
  "use strict";
  function markAfter(el) {
    var t = el;
    while (t && t.tagName !== "MARK") {            /* anchors are empty spans before the mark */
      t = t.nextElementSibling;
      if (t && t.tagName !== "MARK" && !(t.classList && t.classList.contains("anchor"))) { return null; }
    }
    return t;
  }
  function flash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    var target = el.tagName === "MARK" ? el : markAfter(el);
    if (!target) { return; }
    target.scrollIntoView({ block: "center" });     /* with its context above, not at the very edge */
    target.classList.add("flash");
    setTimeout(function () { target.classList.remove("flash"); }, 2000);
  }
  window.addEventListener("hashchange", flash);
  document.addEventListener("click", function (ev) {
    var m = ev.target && ev.target.closest ? ev.target.closest("mark[data-goto]") : null;
    if (!m) { return; }
    var id = m.getAttribute("data-goto");
    if (location.hash === "#" + id) {              /* the same place again: no hashchange */
      var el = document.getElementById(id);
      if (el) { el.scrollIntoView({ block: "center" }); }
      flash();
    } else {
      location.hash = id;
    }
  });
  flash();
})();
