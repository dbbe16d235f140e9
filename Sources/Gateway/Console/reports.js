// Reports for managers (D7, D9, T11, B6, N6): the lead report, attribution, call load by
// weekday and hour as a heat map, NPS, managers' KPIs and bonuses, each with a chart
// where one helps and its CSV. A staff member sees the rows their view allows (G3).
import { api, params } from "./api.js";
import { h, section, table, percent, money, day, person } from "./ui.js";
import { t } from "./i18n.js";

const tabs = ["leads", "attribution", "calls", "nps", "managers", "bonuses"];
/** Money is reported in one currency at a time (the API's rule); the choice is kept in the browser. */
const currencies = ["RUB", "USD", "EUR", "KZT", "UAH", "BYN", "GEL", "AMD", "AZN", "UZS", "KGS", "TRY", "GBP", "CLP", "PLN", "CZK", "CHF", "AED", "INR", "CNY", "JPY"];

export function reports(session, tab) {
  const today = new Date();
  const monthStart = new Date(today.getFullYear(), today.getMonth(), 1);
  const from = h("input", { type: "date", id: "report-from", value: day(monthStart) });
  const to = h("input", { type: "date", id: "report-to", value: day(today) });
  const month = h("input", { type: "month", id: "report-month", value: day(today).slice(0, 7) });
  const currency = h("select", { id: "report-currency" }, currencies.map((c) => h("option", { value: c }, c)));
  currency.value = localStorage.getItem("switchboard.currency") || "RUB";
  const body = h("div", {});
  const draw = () => {
    localStorage.setItem("switchboard.currency", currency.value);
    body.replaceChildren(views[tab]({ from: from.value, to: to.value, month: month.value, currency: currency.value }));
  };
  for (const input of [from, to, month, currency]) input.addEventListener("change", draw);
  const screen = h("div", {},
    h("h1", {}, t("menu.reports")),
    h("nav", { class: "tabs", "aria-label": t("menu.reports") }, tabs.map((name) => h("a", { href: `#/reports/${name}`, "aria-current": name === tab ? "page" : false }, t("report." + name)))),
    h("div", { class: "period" }, tab === "bonuses"
      ? h("label", {}, t("month"), " ", month)
      : [h("label", {}, t("from"), " ", from), h("label", {}, t("to"), " ", to),
        tab === "attribution" || tab === "managers" ? h("label", {}, t("currency"), " ", currency) : null]),
    body);
  draw();
  return screen;
}

const csv = (path, query) => h("a", { class: "csv", href: `${path}?${params(query)}`, download: true }, t("downloadCSV"));

function grouped(choices, build) {
  const select = h("select", { "aria-label": t("groupBy") }, choices.map((c) => h("option", { value: c }, t("group." + c, {}, c))));
  const holder = h("div", {});
  const draw = () => holder.replaceChildren(build(select.value));
  select.addEventListener("change", draw);
  draw();
  return h("div", {}, h("label", {}, t("groupBy"), " ", select), holder);
}

const views = {
  leads: (p) => grouped(["partner", "operator", "source", "geography", "product"], (groupBy) => {
    const query = { from: p.from, to: p.to, groupBy };
    return section(t("report.leads"), () => api("GET", "/v1/reports/leads", undefined, { query }), (r) => h("div", {},
      bars(r.items.map((row) => [row.value || "—", row.leads, row.won]), [t("leads"), t("won")]),
      table([[t("group." + groupBy, {}, groupBy), (x) => x.value || "—"], [t("leads"), (x) => x.leads], [t("attempted"), (x) => x.attempted],
        [t("offers"), (x) => x.offers], [t("won"), (x) => x.won], [t("wonRate"), (x) => percent(x.wonRate)], [t("lowQuality"), (x) => percent(x.lowQualityShare)]],
      [...r.items, { ...r.total, value: t("total") }]),
      csv("/v1/reports/leads.csv", query)), { name: "report" });
  }),
  attribution: (p) => grouped(["source", "utm_source", "utm_medium", "utm_campaign", "tracking_number"], (groupBy) => {
    const query = { from: p.from, to: p.to, groupBy, currency: p.currency };
    return section(t("report.attribution"), () => api("GET", "/v1/reports/attribution", undefined, { query }), (r) => h("div", {},
      bars(r.items.map((row) => [row.value || "—", row.leads, row.won]), [t("leads"), t("won")]),
      table([[t("group." + groupBy, {}, groupBy), (x) => x.value || "—"], [t("calls"), (x) => x.calls], [t("leads"), (x) => x.leads],
        [t("dealsOpened"), (x) => x.dealsOpened], [t("won"), (x) => x.won], [t("revenue"), (x) => money(x.revenueMinor, r.currency)],
        [t("spend"), (x) => money(x.spendMinor, r.currency)], [t("costPerLead"), (x) => money(x.costPerLeadMinor, r.currency)]],
      [...r.items, { ...r.total, value: t("total") }]),
      csv("/v1/reports/attribution.csv", query)), { name: "report" });
  }),
  calls: (p) => section(t("report.calls"), () => api("GET", "/v1/calls/stats", undefined, {
    query: { from: new Date(p.from + "T00:00:00").toISOString(), to: new Date(p.to + "T23:59:59").toISOString() },
  }), (s) => h("div", {},
    h("p", {}, t("callsSummary", { calls: s.calls, missed: s.missed, back: s.missedCalledBack, zone: s.timeZone })),
    heatMap(s.byHour || []),
    table([[t("staff"), (x) => person(x.staffId)], [t("made"), (x) => x.made], [t("answered"), (x) => x.answered], [t("talk"), (x) => minutes(x.talkSeconds)]], s.load || [])),
  { name: "report" }),
  nps: (p) => grouped(["pipeline", "responsible", "product"], (groupBy) => {
    const query = { from: p.from, to: p.to, groupBy };
    return section(t("report.nps"), () => api("GET", "/v1/reports/nps", undefined, { query }), (r) => h("div", {},
      h("p", { class: "big" }, `NPS ${r.total.nps}`, ` · ${t("responses")}: ${r.total.responses}`),
      bars((r.total.distribution || []).map((n, score) => [String(score), n])),
      table([[t("group." + groupBy, {}, groupBy), (x) => x.value || "—"], ["NPS", (x) => x.nps], [t("responses"), (x) => x.responses],
        [t("promoters"), (x) => x.promoters], [t("detractors"), (x) => x.detractors]], r.items),
      h("ul", { class: "comments" }, (r.total.comments || []).map((c) => h("li", {}, h("a", { href: `#/deals/${c.dealId}` }, `${c.score}`), " ", c.text)))),
    { name: "report" });
  }),
  managers: (p) => section(t("report.managers"), () => api("GET", "/v1/reports/managers", undefined, { query: { from: p.from, to: p.to, currency: p.currency } }), (r) => h("div", {},
    r.partial ? h("p", { class: "unavailable" }, t("partial")) : null,
    bars(r.items.map((x) => [person(x.staffId), x.won, x.lost]), [t("won"), t("lost")]),
    table([[t("staff"), (x) => x.staffId ? person(x.staffId) : t("total")], [t("won"), (x) => x.won], [t("lost"), (x) => x.lost], [t("conversion"), (x) => percent(x.conversion)],
      [t("revenue"), (x) => money(x.revenueMinor, r.currency)], [t("tasksOnTime"), (x) => x.tasksOnTime], [t("tasksOverdue"), (x) => x.tasksOverdue],
      [t("made"), (x) => x.callsMade], [t("answered"), (x) => x.callsAnswered]], [...r.items, r.total])), { name: "report" }),
  bonuses: (p) => section(t("report.bonuses"), () => api("GET", "/v1/reports/bonuses", undefined, { query: { month: p.month } }), (r) => h("div", {},
    table([[t("staff"), (x) => person(x.managerId)], [t("won"), (x) => x.dealsWon], [t("revenue"), (x) => money(x.revenueMinor, x.currency)],
      [t("bonus"), (x) => money(x.bonusMinor, x.currency)], [t("why"), (x) => x.explanation]], r.items),
    csv("/v1/reports/bonuses.csv", { month: p.month })), { name: "report" }),
};

function minutes(seconds) {
  return `${Math.round((seconds || 0) / 60)} min`;
}

/** Horizontal bars: [label, value, second value] rows, scaled to the largest; `legend` names the two. */
function bars(rows, legend) {
  const max = Math.max(1, ...rows.map((r) => r[1] || 0));
  return h("figure", { class: "bars" }, legend ? h("figcaption", {}, h("span", { class: "key first" }), legend[0], " ", h("span", { class: "key second" }), legend[1]) : null,
    rows.slice(0, 30).map(([label, value, second]) => {
    const bar = h("span", { class: "bar" });
    bar.style.width = `${(100 * (value || 0)) / max}%`;
    const inner = h("span", { class: "bar second" });
    inner.style.width = `${(100 * (second || 0)) / max}%`;
    return h("div", { class: "bar-row" }, h("span", { class: "bar-label" }, label), h("span", { class: "bar-track" }, bar, second !== undefined ? inner : null),
      h("span", { class: "bar-value" }, second !== undefined ? `${value} / ${second}` : String(value)));
    }));
}

/** Calls by weekday (rows, Monday first) and hour (columns), darker for more. */
function heatMap(cells) {
  const count = new Map(cells.map((c) => [`${c.weekday}-${c.hour}`, c.calls]));
  const max = Math.max(1, ...cells.map((c) => c.calls));
  const weekdays = [1, 2, 3, 4, 5, 6, 7];
  return h("div", { class: "table-wrap" }, h("table", { class: "heat", "aria-label": t("report.calls") },
    h("thead", {}, h("tr", {}, h("th", {}, ""), Array.from({ length: 24 }, (_, hour) => h("th", { scope: "col" }, String(hour))))),
    h("tbody", {}, weekdays.map((weekday) => h("tr", {}, h("th", { scope: "row" }, t("weekday." + weekday)),
      Array.from({ length: 24 }, (_, hour) => {
        const n = count.get(`${weekday}-${hour}`) || 0;
        const cell = h("td", { title: `${n}` }, n ? String(n) : "");
        cell.style.backgroundColor = `rgba(37, 99, 235, ${n ? 0.12 + (0.88 * n) / max : 0})`;
        if (n / max > 0.6) cell.classList.add("light");
        return cell;
      }))))));
}
