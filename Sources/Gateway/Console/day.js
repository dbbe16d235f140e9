// "My day" for engineers and teachers (S3, 001), phone-sized: the stops in order with the
// address, the client and a call button, marked done where they happen; the week ahead;
// the calendar feed for the phone's own calendar.
import { api } from "./api.js";
import { h, section, notify, day as isoDay } from "./ui.js";
import { t, language } from "./i18n.js";
import { ask } from "./board.js";

export function myDay(session) {
  const date = h("input", { type: "date", id: "day-date", value: isoDay() });
  const stops = h("div", {});
  const draw = () => stops.replaceChildren(dayStops(date.value));
  date.addEventListener("change", draw);
  draw();
  const week = h("div", { class: "week" });
  const feed = h("p", { class: "feed" });
  return h("div", { class: "my-day" },
    h("h1", {}, t("menu.day")),
    h("label", {}, t("date"), " ", date),
    stops,
    h("h2", {}, t("week")), week,
    h("h2", {}, t("calendarFeed")),
    h("p", {}, t("calendarFeedNote")),
    h("button", { type: "button", onclick: async () => {
      try {
        const link = await api("POST", "/v1/me/feed");
        const url = new URL(link.path, location.origin).href;
        feed.replaceChildren(h("a", { href: url.replace(/^https?:/, "webcal:") }, url));
      } catch (error) {
        feed.textContent = error.message;
      }
    } }, t("newFeedLink")), feed,
    weekAhead(week));
}

function dayStops(date) {
  return section("", () => api("GET", "/v1/me/day", undefined, { query: { date } }), (d) => {
    if (!(d.items || []).length) return h("p", { class: "empty" }, t("noStops"));
    return h("ol", { class: "stops" }, d.items.map((stop) => {
      const a = stop.appointment;
      const status = h("span", { class: "status" }, t("appointment." + a.status, {}, a.status));
      const done = h("button", { type: "button", class: "primary", onclick: () => mark(a, "done", status, done) }, t("markDone"));
      const noShow = h("button", { type: "button", onclick: () => mark(a, "no_show", status, done) }, t("noShow"));
      return h("li", { class: "stop" },
        h("p", { class: "time" }, time(a.start), "–", time(a.end), " ", status),
        h("p", { class: "big" }, stop.dealTitle),
        a.address ? h("p", {}, h("a", { href: `https://www.openstreetmap.org/search?query=${encodeURIComponent(a.address)}`, rel: "noopener", target: "_blank" }, a.address)) : null,
        h("p", {}, stop.contactName, " "),
        stop.contactPhone ? h("a", { class: "call", href: `tel:${stop.contactPhone}` }, t("call"), " ", stop.contactPhone) : null,
        a.notes ? h("p", { class: "notes" }, a.notes) : null,
        a.status === "booked" ? h("div", { class: "actions" }, done, noShow) : null);
    }));
  }, { name: "day" });
}

async function mark(appointment, outcome, status, button) {
  const notes = outcome === "done" ? await ask(t("doneNotes")) : "";
  try {
    const changed = await api("POST", `/v1/appointments/${appointment.id}/complete`, { outcome, notes: notes || undefined });
    status.textContent = t("appointment." + changed.status, {}, changed.status);
    button.parentElement?.remove();
    notify(t("marked"));
  } catch (error) {
    notify(error.message, "error");
  }
}

function weekAhead(holder) {
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = new Date();
    d.setDate(d.getDate() + i);
    return isoDay(d);
  });
  Promise.all(days.map((d) => api("GET", "/v1/me/day", undefined, { query: { date: d } }).then((r) => [d, r.items || []]).catch(() => [d, null])))
    .then((list) => holder.replaceChildren(h("ul", { class: "week-list" }, list.map(([d, items]) =>
      h("li", {}, h("strong", {}, new Date(d + "T12:00:00").toLocaleDateString(language(), { weekday: "short", day: "numeric", month: "short" })), " ",
        items === null ? t("unavailable", { what: "" }) : items.length ? items.map((s) => `${time(s.appointment.start)} ${s.dealTitle}`).join(" · ") : "—")))));
  return null;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString(language(), { hour: "2-digit", minute: "2-digit" });
}
