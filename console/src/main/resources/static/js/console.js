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
  document.addEventListener("htmx:afterSettle", function (event) {
    // only after a T/K move, not after a panel (the identity) filled in
    if (!event.detail || !event.detail.target || event.detail.target.id !== "main") {
      return;
    }
    var summary = document.getElementById("travel-summary");
    var announcer = document.getElementById("announcer");
    if (summary && announcer) {
      announcer.textContent = summary.textContent.replace(/\s+/g, " ").trim();
    }
  });

  // The identity panel is read once the page is shown: say so while it is read, and say why when it could not be
  // (htmx swaps nothing in on a network error or a 5xx).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = event.detail && event.detail.target;
    if (panel && panel.id === "identity") {
      var note = document.getElementById("identity-loading");
      if (note) {
        note.textContent = "Reading the identity from merge-service\u2026";
      }
    }
  });
  function identityFailed(event) {
    var panel = event.detail && event.detail.target;
    if (panel && panel.id === "identity") {
      panel.setAttribute("aria-busy", "false");
      panel.innerHTML = "";
      var alert = document.createElement("p");
      alert.className = "alert";
      alert.id = "identity-message";
      alert.setAttribute("role", "alert");
      alert.textContent = "The identity could not be read (" + (event.detail.xhr && event.detail.xhr.status
          ? "HTTP " + event.detail.xhr.status : "no answer") + "): reload the page to try again.";
      panel.appendChild(alert);
    }
  }
  document.addEventListener("htmx:responseError", identityFailed);
  document.addEventListener("htmx:sendError", identityFailed);

  // The report's print button.
  document.addEventListener("click", function (event) {
    if (event.target.id === "print") {
      window.print();
    }
  });
})();
