/* summaryscan screen report: sorting and filtering of the submissions table.
   Plain JavaScript, no libraries, no network. */
(function () {
  "use strict";
  var table = document.getElementById("docs");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var q = document.getElementById("q");
  var codeSel = document.getElementById("code");
  var sevSel = document.getElementById("sev");
  var shown = document.getElementById("shown");
  var original = Array.prototype.slice.call(tbody.rows);
  original.forEach(function (tr, i) { tr.setAttribute("data-order", String(i)); });

  function cellValue(tr, col, numeric) {
    var td = tr.cells[col];
    if (!td) { return null; }
    var v = td.getAttribute("data-v");
    if (v === null) { v = td.textContent.replace(/\s+/g, " ").trim(); }
    if (numeric) {
      if (v === "") { return null; }
      var n = parseFloat(v);
      return isNaN(n) ? null : n;
    }
    return v === "" ? null : v;
  }

  function sortBy(col, dir) {
    var numeric = heads[col].getAttribute("data-type") === "num";
    var rows = Array.prototype.slice.call(tbody.rows);
    var keyed = rows.map(function (tr) {
      return { tr: tr, v: cellValue(tr, col, numeric), i: +tr.getAttribute("data-order") };
    });
    keyed.sort(function (a, b) {
      if (a.v === null && b.v === null) { return a.i - b.i; }
      if (a.v === null) { return 1; }          /* blanks always last */
      if (b.v === null) { return -1; }
      var c = numeric ? a.v - b.v : String(a.v).localeCompare(String(b.v), "zh-Hans-CN");
      if (c === 0) { return a.i - b.i; }
      return dir === "ascending" ? c : -c;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.tr); });
    tbody.appendChild(frag);
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[col].setAttribute("aria-sort", dir);
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    th.setAttribute("title", "点击排序");
    th.addEventListener("click", function () {
      var cur = th.getAttribute("aria-sort");
      var first = th.getAttribute("data-first") || "ascending";
      var dir = cur ? (cur === "ascending" ? "descending" : "ascending") : first;
      sortBy(col, dir);
    });
  });

  function applyFilters() {
    var text = (q && q.value || "").trim().toLowerCase();
    var code = codeSel ? codeSel.value : "";
    var sev = sevSel ? sevSel.value : "";
    var n = 0;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      var ok = true;
      if (text) { ok = tr.textContent.toLowerCase().indexOf(text) >= 0; }
      if (ok && code) { ok = (" " + (tr.getAttribute("data-codes") || "") + " ").indexOf(" " + code + " ") >= 0; }
      if (ok && sev) {
        if (sev === "none") { ok = tr.getAttribute("data-findings") === "0" && tr.getAttribute("data-status") === "ok"; }
        else if (sev === "unreadable") { ok = tr.getAttribute("data-status") !== "ok"; }
        else { ok = +(tr.getAttribute("data-" + sev) || 0) > 0; }
      }
      tr.hidden = !ok;
      if (ok) { n++; }
    });
    if (shown) { shown.textContent = String(n); }
  }
  [q, codeSel, sevSel].forEach(function (el) {
    if (el) { el.addEventListener("input", applyFilters); el.addEventListener("change", applyFilters); }
  });
  applyFilters();
})();
