// Live progress of a data version's load: polls progress.json every second and updates the
// <progress> bar; reloads the page once the load is done or refused. Without JavaScript the
// page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var heading = box.querySelector("[data-progress-heading]");

  function label(data) {
    var template = data.rows_total_estimate ? box.dataset.label : box.dataset.labelUnknown;
    return template
      .replace("{processed}", data.rows_processed.toLocaleString())
      .replace("{total}", (data.rows_total_estimate || 0).toLocaleString())
      .replace("{percent}", data.percent);
  }

  function show(data) {
    if (data.rows_total_estimate) {
      bar.max = data.rows_total_estimate;
      bar.value = data.rows_processed;
    } else {
      bar.removeAttribute("value");
    }
    bar.textContent = data.percent + "%";
    text.textContent = label(data);
    heading.textContent = data.status === "loading" ? box.dataset.headingLoading : box.dataset.headingQueued;
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.status !== "queued" && data.status !== "loading") {
          window.location.reload();
          return;
        }
        if (data) {
          show(data);
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 1000);
      });
  }

  window.setTimeout(poll, 1000);
})();
