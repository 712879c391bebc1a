// The activity form's behaviour (no inline scripts; see app.js for Tom Select and htmx).
(function () {
  "use strict";

  // "Schedule the next contact/meeting in": its inputs matter only when the box is checked.
  function wireFollowUp(form) {
    var box = form.querySelector("input[name=follow_up]");
    var options = form.querySelector("[data-follow-up-options]");
    if (!box || !options) return;
    function sync() {
      options.hidden = !box.checked;
    }
    box.addEventListener("change", sync);
    sync();
  }

  // All day: only the dates count, so the start and end inputs become date inputs.
  // Values keep their date; a time is added back (09:00, 10:00) when unchecked.
  function wireAllDay(form) {
    var box = form.querySelector("input[name=all_day]");
    var start = form.querySelector("input[name=start]");
    var end = form.querySelector("input[name=end]");
    if (!box || !start || !end) return;
    function toDate(input) {
      input.value = (input.value || "").slice(0, 10);
      input.type = "date";
    }
    function toDateTime(input, hour) {
      var day = (input.value || "").slice(0, 10);
      input.type = "datetime-local";
      if (day) input.value = day + "T" + hour;
    }
    box.addEventListener("change", function () {
      if (box.checked) {
        toDate(start);
        toDate(end);
      } else {
        toDateTime(start, "09:00");
        toDateTime(end, "10:00");
      }
    });
  }

  // A start moved past the end drags the end along, keeping the length the user had.
  function wireEndFollowsStart(form) {
    var start = form.querySelector("input[name=start]");
    var end = form.querySelector("input[name=end]");
    if (!start || !end) return;
    var previous = start.value;
    start.addEventListener("change", function () {
      if (start.type !== "datetime-local" || !previous || !start.value || !end.value) {
        previous = start.value;
        return;
      }
      var length = Date.parse(end.value) - Date.parse(previous);
      var moved = new Date(Date.parse(start.value) + (length > 0 ? length : 3600000));
      var pad = function (n) { return String(n).padStart(2, "0"); };
      end.value = moved.getFullYear() + "-" + pad(moved.getMonth() + 1) + "-" + pad(moved.getDate()) +
        "T" + pad(moved.getHours()) + ":" + pad(moved.getMinutes());
      previous = start.value;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-activity-form]").forEach(function (form) {
      wireFollowUp(form);
      wireAllDay(form);
      wireEndFollowsStart(form);
    });
  });
})();
