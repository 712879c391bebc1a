// The schedule page: FullCalendar wired by data attributes (no inline scripts).
//
// Time zones: the calendar runs in FullCalendar's "UTC" mode and the server sends
// wall-clock times of the user's zone without an offset. So the hours shown are the
// user's, whatever zone the browser is in, without a named-time-zone plugin; a daylight-
// saving day keeps 10:00 at 10:00. Times going back (selection, drag) are sent the same
// way and read by the server as wall-clock times in the user's zone.
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // "2026-03-29T10:00:00Z" -> "2026-03-29T10:00:00": the wall-clock time without a zone.
  function wallClock(str) {
    return str ? str.replace(/(Z|[+-]\d\d:\d\d)$/, "") : "";
  }

  // The current wall-clock time in the user's zone, for the "now" line and "today".
  function nowIn(zone) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit",
      }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" +
        parts.minute + ":" + parts.second;
    } catch (e) {
      return new Date();
    }
  }

  function dayBefore(isoDate) {
    var d = new Date(isoDate + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }

  function showError(message) {
    var box = document.getElementById("schedule-error");
    if (!box) { window.alert(message); return; }
    box.textContent = message;
    box.classList.remove("d-none");
  }

  function hideError() {
    var box = document.getElementById("schedule-error");
    if (box) box.classList.add("d-none");
  }

  function initCalendar(el) {
    var config = JSON.parse(document.getElementById(el.dataset.configId).textContent);
    var texts = config.texts;

    function move(info, ignoreConflicts) {
      var event = info.event;
      var body = new URLSearchParams();
      body.set("all_day", event.allDay ? "1" : "0");
      body.set("start", event.allDay ? event.startStr.slice(0, 10) : wallClock(event.startStr));
      if (event.end) body.set("end", event.allDay ? event.endStr.slice(0, 10) : wallClock(event.endStr));
      if (ignoreConflicts) body.set("ignore_conflicts", "1");
      // The version the event was loaded with: the server refuses (409, `stale`) a move
      // of an activity someone else saved since, rather than overwrite their times.
      var version = event.extendedProps.version;
      if (version !== undefined && version !== null) body.set("version", String(version));
      fetch(config.moveUrl.replace("/0/", "/" + event.id + "/"), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { status: response.status, data: data }; });
        })
        .then(function (result) {
          if (result.status === 200) {
            hideError();
            // Saved as a new version: the next drag of this event sends that one.
            var saved = result.data.event;
            if (saved && saved.extendedProps) event.setExtendedProp("version", saved.extendedProps.version);
            if (result.data.warning) showError(result.data.warning);
            return;
          }
          // A stale version is a 409 without `overridable`: reverted and told below.
          if (result.status === 409 && result.data.overridable) {
            var question = texts.confirmConflict + "\n" + result.data.conflicts.join("\n") + "\n\n" + texts.saveAnyway;
            if (window.confirm(question)) { move(info, true); return; }
          }
          info.revert();
          var details = result.data.conflicts ? " " + result.data.conflicts.join(" ") : "";
          showError((result.data.error || texts.moveFailed) + details);
        })
        .catch(function () { info.revert(); showError(texts.moveFailed); });
    }

    var calendar = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      now: function () { return nowIn(config.timeZone); },
      locale: config.locale,
      firstDay: 1,
      initialView: config.initialView,
      initialDate: config.initialDate,
      headerToolbar: { left: "prev,next today", center: "title", right: "timeGridDay,timeGridWeek,dayGridMonth,listWeek" },
      buttonText: config.locale === "pl" ? { list: "Lista" } : { list: "List" },
      height: "auto",
      nowIndicator: true,
      weekNumbers: false,
      slotMinTime: "06:00:00",
      slotMaxTime: "22:00:00",
      scrollTime: "08:00:00",
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      selectable: true,
      selectMirror: true,
      editable: true,
      eventStartEditable: true,
      eventDurationEditable: true,
      dayMaxEvents: 4,
      events: { url: config.eventsUrl, failure: function () { showError(texts.moveFailed); } },
      select: function (info) {
        var params = new URLSearchParams();
        params.set("kind", "meeting");
        params.set("employee", config.employee);
        if (info.allDay) {
          params.set("all_day", "1");
          params.set("start", info.startStr.slice(0, 10));
          params.set("end", dayBefore(info.endStr.slice(0, 10)));
        } else {
          params.set("start", wallClock(info.startStr).slice(0, 16));
          params.set("end", wallClock(info.endStr).slice(0, 16));
        }
        window.location.href = config.newUrl + "?" + params.toString();
      },
      eventDrop: function (info) { move(info, false); },
      eventResize: function (info) { move(info, false); },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        var lines = [info.event.title, p.kindLabel + " · " + p.statusLabel, p.customer];
        if (p.place) lines.push(p.place);
        lines.push(p.priority);
        info.el.setAttribute("title", lines.join("\n"));
      },
      eventContent: function (arg) {
        var p = arg.event.extendedProps;
        var wrap = document.createElement("div");
        wrap.className = "ev-content";
        if (arg.timeText) {
          var time = document.createElement("span");
          time.className = "ev-time";
          time.textContent = arg.timeText + " ";
          wrap.appendChild(time);
        }
        if (p.priorityMarked) {
          var badge = document.createElement("span");
          badge.className = "ev-priority";
          badge.textContent = p.priority;
          wrap.appendChild(badge);
        }
        var title = document.createElement("span");
        title.className = "ev-title";
        title.textContent = arg.event.title;
        wrap.appendChild(title);
        if (p.customer) {
          var customer = document.createElement("span");
          customer.className = "ev-customer";
          customer.textContent = " · " + p.customer;
          wrap.appendChild(customer);
        }
        return { domNodes: [wrap] };
      },
    });
    calendar.render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-schedule-calendar]").forEach(initCalendar);
    document.querySelectorAll("[data-schedule-employee]").forEach(function (select) {
      select.addEventListener("change", function () {
        window.location.href = select.dataset.urlTemplate.replace("/0/", "/" + select.value + "/");
      });
    });
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copyTarget);
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
      });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  });
})();
