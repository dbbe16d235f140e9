// The operator's dialer workstation (T10, 004): the next lead with its contact, deal and
// timeline, the lead's local time against the calling hours, one-click outcomes, a
// call-back picker and the lease's countdown.
import { api } from "./api.js";
import { h, section, when, notify, field, form } from "./ui.js";
import { t } from "./i18n.js";
import { timeline } from "./deal.js";
import { live } from "./live.js";

const held = "switchboard.entry";

export function workstation(session) {
  const panel = h("div", { class: "entry-panel" });
  const next = h("button", { type: "button", class: "primary", id: "next-lead" }, t("nextLead"));
  const screen = h("div", { class: "workstation" }, h("h1", {}, t("menu.workstation")), h("div", { class: "actions" }, next), panel);
  let clock = null;

  const take = async () => {
    next.disabled = true;
    try {
      const entry = await api("POST", "/v1/dialer/next");
      if (!entry) {
        panel.replaceChildren(h("p", { class: "empty", role: "status" }, t("queueEmpty")));
        sessionStorage.removeItem(held);
        return;
      }
      sessionStorage.setItem(held, entry.id);
      show(entry);
    } catch (error) {
      panel.replaceChildren(h("p", { class: "unavailable", role: "alert" }, error.message));
    } finally {
      next.disabled = false;
    }
  };
  next.addEventListener("click", take);

  const show = (entry) => {
    clearInterval(clock);
    const local = h("output", { class: "local-time" });
    const lease = h("output", { class: "lease", "aria-live": "off" });
    const hours = h("span", { class: "hours" });
    const tick = () => {
      const now = Date.now();
      const there = new Date(now + (entry.utcOffsetMinutes || 0) * 60000);
      local.textContent = there.toISOString().slice(11, 16);
      const left = entry.leaseUntil ? Math.max(0, Math.round((Date.parse(entry.leaseUntil) - now) / 1000)) : 0;
      lease.textContent = left > 0 ? t("leaseLeft", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` }) : t("leaseOver");
      lease.classList.toggle("urgent", left < 30);
      if (!screen.isConnected) clearInterval(clock);
    };
    tick();
    clock = setInterval(tick, 1000);
    api("GET", "/v1/dialer/settings").then((s) => {
      hours.textContent = t("callingHours", { from: s.callingHourFrom, to: s.callingHourTo });
      const hour = new Date(Date.now() + (entry.utcOffsetMinutes || 0) * 60000).getUTCHours();
      hours.classList.toggle("outside", hour < s.callingHourFrom || hour >= s.callingHourTo);
    }).catch(() => (hours.textContent = ""));

    const details = h("div", { class: "lead-details" });
    const lead = api("GET", `/v1/leads/${entry.leadId}`);
    const dealID = entry.dealId;
    details.append(
      section(t("contact"), async () => {
        const l = await lead;
        return l.contactId ? api("GET", `/v1/contacts/${l.contactId}`) : null;
      }, (c) => c ? h("div", { class: "card" },
        h("p", { class: "big" }, h("a", { href: `#/contacts/${c.id}` }, `${c.firstName} ${c.lastName}`.trim() || t("noName"))),
        h("p", {}, (c.emails || []).join(", ")), h("p", {}, c.company || "")) : h("p", {}, t("noContact")), { name: "contact" }),
      dealID ? section(t("deal"), () => api("GET", `/v1/deals/${dealID}`), (d) => h("div", { class: "card" },
        h("p", { class: "big" }, h("a", { href: `#/deals/${d.id}` }, d.title)), h("p", {}, t("status." + d.status), d.source ? ` · ${d.source}` : "")), { name: "deal" }) : null,
      dealID ? timeline(dealID) : null);

    const reason = field(t("reason"), "reason", {});
    const callbackAt = field(t("callbackAt"), "callbackAt", { type: "datetime-local", required: true });
    const forMe = h("label", { class: "check" }, h("input", { type: "checkbox", name: "callbackForMe", checked: true }), t("callbackForMe"));
    const setCallback = (date) => (callbackAt.querySelector("input").value = localInput(date));
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(10, 0, 0, 0);
    const record = async (body) => {
      const done = await api("POST", `/v1/dialer/entries/${entry.id}/outcome`, body);
      sessionStorage.removeItem(held);
      clearInterval(clock);
      notify(t("outcomeLogged", { outcome: t("outcome." + body.outcome) }));
      panel.replaceChildren(h("p", { role: "status", class: "logged" }, t("outcomeLogged", { outcome: t("outcome." + body.outcome) })),
        dealID ? timeline(dealID, { refreshAfterEvent: true }) : "");
      return done;
    };
    const quick = ["no_answer", "busy", "offer_made"].map((outcome) =>
      h("button", { type: "button", dataset: { outcome }, onclick: (e) => withButton(e.target, () => record({ outcome }), panel) }, t("outcome." + outcome)));
    const withReason = form([reason, h("div", { class: "actions" },
      ["refused", "invalid"].map((outcome) => h("button", { type: "submit", value: outcome, dataset: { outcome } }, t("outcome." + outcome))))],
    null, (v, el, button) => record({ outcome: button?.value || "refused", reason: v.reason }), { class: "inline-form" });
    const callback = form([
      h("div", { class: "quick" },
        h("button", { type: "button", onclick: () => setCallback(tomorrow) }, t("tomorrowAt10")),
        h("button", { type: "button", onclick: () => setCallback(new Date(Date.now() + 3600000)) }, t("inAnHour"))),
      callbackAt, forMe,
    ], t("outcome.callback"), (v) => record({ outcome: "callback", callbackAt: new Date(v.callbackAt).toISOString(), callbackForMe: v.callbackForMe }),
    { class: "inline-form", id: "callback-form" });

    panel.replaceChildren(
      h("div", { class: "entry-head" },
        h("p", { class: "phone" }, h("a", { href: `tel:${entry.phone}` }, entry.phone)),
        h("p", {}, [entry.region, entry.product].filter(Boolean).join(" · ")),
        h("p", {}, t("localTime"), " ", local, " · ", hours),
        h("p", {}, lease)),
      h("div", { class: "outcomes", role: "group", "aria-label": t("outcomes") }, quick),
      callback, withReason, details);
  };

  // An entry leased before a reload is shown again while the lease holds.
  const kept = sessionStorage.getItem(held);
  if (kept) {
    api("GET", `/v1/dialer/entries/${kept}`).then((entry) => {
      if (entry.state === "leased" && entry.leasedBy === session.staffId) show(entry);
      else sessionStorage.removeItem(held);
    }).catch(() => sessionStorage.removeItem(held));
  }
  live.on("dialer", () => {
    if (!panel.firstChild) notify(t("queueChanged"));
  }, screen);
  return screen;
}

async function withButton(button, work, panel) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    notify(error.message, "error");
  } finally {
    button.disabled = false;
  }
}

/** The value a datetime-local input takes for `date`, in the browser's zone. */
export function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
