// asof console: the little the pages do in the browser. Everything works without it (forms submit normally).
(function () {
  "use strict";

  function iso(ms) {
    return new Date(Number(ms)).toISOString();
  }

  // A range slider moves its time field (T or K); htmx submits the form on change.
  document.addEventListener("input", function (event) {
    var slider = event.target;
    if (slider.classList && slider.classList.contains("slider")) {
      var field = document.getElementById(slider.getAttribute("data-for"));
      if (field) {
        field.value = iso(slider.value);
      }
    }
  });

  // A mark's details in the panel under the timeline, on hover and on keyboard focus.
  function show(event) {
    var mark = event.target.closest ? event.target.closest(".mark[aria-label], .edge[aria-label]") : null;
    var panel = document.getElementById("mark-details");
    if (mark && panel) {
      panel.textContent = mark.getAttribute("aria-label");
    }
  }
  document.addEventListener("focusin", show);
  document.addEventListener("mouseover", show);

  // After htmx swapped the page's content in place, say what changed in a live region outside the swapped part
  // (a live region swapped in with its text is not announced).
  document.addEventListener("htmx:afterSettle", function () {
    var summary = document.getElementById("travel-summary");
    var announcer = document.getElementById("announcer");
    if (summary && announcer) {
      announcer.textContent = summary.textContent.replace(/\s+/g, " ").trim();
    }
  });

  // The report's print button.
  document.addEventListener("click", function (event) {
    if (event.target.id === "print") {
      window.print();
    }
  });
})();
