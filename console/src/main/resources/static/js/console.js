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

  // The timeline as a fresh page at the new (T, K) draws it, without reading it again: the T line where T falls
  // (hidden outside the drawing), marks recorded after K faded, and T and K in its links and the report's.
  // The drawing's geometry is Timeline's: x = 190 + (t - from) / (to - from) * 794, to a tenth.
  function followTravel(travel) {
    var t = document.getElementById("shown-t").textContent;
    var k = document.getElementById("shown-k").textContent;
    var tMs = Number(travel.getAttribute("data-t-ms"));
    var kMs = Number(travel.getAttribute("data-k-ms"));
    [["t", t, tMs], ["k", k, kMs]].forEach(function (field) {
      var input = document.getElementById(field[0]);
      var slider = document.getElementById(field[0] + "-slider");
      if (input) {
        input.value = field[1];
      }
      if (slider) {
        slider.value = String(field[2]); // clamped to the drawing's range, as a fresh page's slider is
      }
    });
    var drawing = document.getElementById("timeline");
    if (drawing) {
      var from = Number(drawing.getAttribute("data-from-ms"));
      var to = Number(drawing.getAttribute("data-to-ms"));
      var inside = tMs >= from && tMs <= to;
      var x = inside ? Math.round((190 + (tMs - from) / Math.max(1, to - from) * 794) * 10) / 10 : -1;
      var line = document.getElementById("t-line");
      var label = document.getElementById("t-label");
      if (line && label) {
        line.setAttribute("x1", String(x));
        line.setAttribute("x2", String(x));
        label.setAttribute("x", String(x));
        line.setAttribute("visibility", inside ? "visible" : "hidden");
        label.setAttribute("visibility", inside ? "visible" : "hidden");
      }
      drawing.querySelectorAll(".mark[data-recorded-ms]").forEach(function (mark) {
        mark.classList.toggle("unknown-at-k", Number(mark.getAttribute("data-recorded-ms")) > kMs);
      });
    }
    var links = document.querySelectorAll("#report, section[aria-labelledby='timeline-title'] a[href]");
    links.forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.href);
      if (url.searchParams.has("t") || link.id === "report") {
        url.searchParams.set("t", t);
        url.searchParams.set("k", k);
        link.setAttribute("href", url.pathname + url.search);
      }
    });
  }

  // After htmx swapped the time-travel panel in place: the timeline follows, and what changed is said in a live
  // region outside the swapped part (a live region swapped in with its text is not announced).
  document.addEventListener("htmx:afterSettle", function (event) {
    // only after a T/K move, not after a panel (the identity) filled in
    // once per move: the event also settles the identity panel swapped in out of band
    var travel = document.getElementById("travel");
    if (!event.target || event.target.id !== "travel" || !travel) {
      return;
    }
    followTravel(travel);
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
