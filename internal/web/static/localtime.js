// Shows <time data-local datetime="…"> elements in the viewer's own time
// zone as well (the server writes China Standard Time and UTC).
document.addEventListener("DOMContentLoaded", function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) { return; }
    var local = d.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    el.title = el.textContent;
    el.textContent = local + (zone ? " (" + zone + ")" : "");
  });
});
