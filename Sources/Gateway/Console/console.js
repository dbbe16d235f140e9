// The console's entry point (issue 27, G6): who is signed in, the menu their role gets,
// and the screen the address names (#/board, #/deals/12 ...). Everything comes from the
// public API (fetch("/v1/...")): nothing here is out of an integrator's reach.
import { api, onSignedOut, useSession } from "./api.js";
import { h, notify } from "./ui.js";
import { t, language, setLanguage, languages } from "./i18n.js";
import { signIn, acceptInvite, changePassword } from "./signin.js";
import { workstation } from "./workstation.js";
import { tasks } from "./tasks.js";
import { inbox, conversation } from "./inbox.js";
import { dealCard } from "./deal.js";
import { contactCard, contacts } from "./contact.js";
import { board } from "./board.js";
import { reports } from "./reports.js";
import { myDay } from "./day.js";
import { admin } from "./admin.js";
import { live } from "./live.js";

const view = document.getElementById("view");
const nav = document.getElementById("nav");
let session = null;

/** Screens by role: the menu, and the first screen after sign-in. */
const menus = {
  operator: ["workstation", "tasks", "inbox"],
  manager: ["board", "teamTasks", "inbox", "contacts", "reports"],
  senior_manager: ["board", "teamTasks", "inbox", "contacts", "reports"],
  engineer: ["day", "tasks"],
  teacher: ["day", "tasks"],
  admin: ["board", "contacts", "reports", "inbox", "admin"],
};
const paths = { workstation: "#/workstation", tasks: "#/tasks", teamTasks: "#/tasks/team", inbox: "#/inbox", board: "#/board", reports: "#/reports", day: "#/day", admin: "#/admin", contacts: "#/contacts" };

const routes = [
  [/^#\/workstation$/, () => workstation(session)],
  [/^#\/tasks$/, () => tasks(session, { mine: true })],
  [/^#\/tasks\/team$/, () => tasks(session, { mine: false })],
  [/^#\/inbox$/, () => inbox(session)],
  [/^#\/inbox\/(\d+)$/, (id) => conversation(session, Number(id))],
  [/^#\/deals\/(\d+)$/, (id) => dealCard(session, Number(id))],
  [/^#\/contacts\/(\d+)$/, (id) => contactCard(session, Number(id))],
  [/^#\/contacts$/, () => contacts()],
  [/^#\/board$/, () => board(session)],
  [/^#\/reports(?:\/([a-z]+))?$/, (tab) => reports(session, tab || "leads")],
  [/^#\/day$/, () => myDay(session)],
  [/^#\/admin(?:\/([a-z]+))?$/, (tab) => admin(session, tab || "staff")],
  [/^#\/password$/, () => changePassword(session, started)],
];

function render() {
  const hash = location.hash || "";
  const invite = hash.match(/^#invite=([A-Za-z0-9_]+)$/);
  if (invite) return show(acceptInvite(invite[1], started));
  if (!session) return show(signIn(started));
  if (hash === "" || hash === "#/" || hash === "#") {
    location.replace(paths[(menus[session.role] || menus.operator)[0]]);
    return;
  }
  for (const [pattern, screen] of routes) {
    const match = hash.match(pattern);
    if (match) return show(screen(...match.slice(1)));
  }
  show(h("p", { class: "unavailable" }, t("notFound")));
}

function show(screen) {
  view.replaceChildren(screen);
  const heading = view.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent} · Switchboard`;
  }
  for (const a of nav.querySelectorAll("a")) a.toggleAttribute("aria-current", location.hash.startsWith(a.getAttribute("href")));
}

function drawNav() {
  nav.replaceChildren();
  if (!session) return;
  const items = menus[session.role] || menus.operator;
  nav.append(
    h("ul", {}, items.map((item) => h("li", {}, h("a", { href: paths[item] }, t("menu." + item))))),
    h("span", { class: "who" }, `${session.firstName} ${session.lastName}`.trim(), " · ", t("role." + session.role)),
    h("a", { href: "#/password" }, t("password")),
    h("button", { type: "button", onclick: signOut }, t("signOut")));
}

async function started(newSession) {
  session = newSession;
  useSession(session);
  drawNav();
  live.start(session);
  if (location.hash.startsWith("#invite=") || location.hash === "#/password") location.hash = "#/";
  render();
}

async function signOut() {
  try {
    await api("DELETE", "/v1/session");
  } catch {
    // Ended already: the same outcome.
  }
  ended();
}

function ended(error) {
  session = null;
  useSession(null);
  live.stop();
  drawNav();
  if (error) notify(t("sessionEnded"), "warn");
  render();
}

onSignedOut(ended);
window.addEventListener("hashchange", render);

const picker = document.getElementById("language");
picker.replaceChildren(...languages.map(([code, name]) => h("option", { value: code, selected: code === language() }, name)));
picker.addEventListener("change", () => {
  setLanguage(picker.value);
  drawNav();
  render();
});
document.documentElement.lang = language();

api("GET", "/v1/session")
  .then(started)
  .catch(() => ended());
fetch("/readyz").then((r) => {
  if (!r.ok) notify(t("servicesDown"), "warn");
}).catch(() => notify(t("gatewayDown"), "warn"));
