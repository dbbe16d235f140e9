// The operator's dialer workstation (T10, 004): the next lead with its contact, deal and
// timeline, the lead's local time against the calling hours, one-click outcomes, a
// call-back picker and the lease's countdown.
import { api } from "./api.js";
import { h, section, notify, field, form, timelineItems } from "./ui.js";
import { t } from "./i18n.js";
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
    let calling = null;
    const tick = () => {
      const now = Date.now();
      const there = new Date(now + (entry.utcOffsetMinutes || 0) * 60000);
      local.textContent = there.toISOString().slice(11, 16);
      if (calling) hours.classList.toggle("outside", there.getUTCHours() < calling.callingHourFrom || there.getUTCHours() >= calling.callingHourTo);
      const left = entry.leaseUntil ? Math.max(0, Math.round((Date.parse(entry.leaseUntil) - now) / 1000)) : 0;
      lease.textContent = left > 0 ? t("leaseLeft", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` }) : t("leaseOver");
      lease.classList.toggle("urgent", left < 30);
      if (!screen.isConnected) clearInterval(clock);
    };
    tick();
    clock = setInterval(tick, 1000);

    // One answer has what the operator works the lead with (the lease gives the right to it).
    const details = h("div", { class: "lead-details" });
    const card = () => section("", () => api("GET", `/v1/dialer/entries/${entry.id}/card`), (c) => {
      calling = c;
      hours.textContent = t("callingHours", { from: c.callingHourFrom, to: c.callingHourTo });
      tick();
      // The moment the lead's data shows: the target counts from navigation to here.
      requestAnimationFrame(() => performance.mark("switchboard:workstation-ready"));
      return leadCard(c);
    }, { name: "card" });
    details.append(card());

    const reason = field(t("reason"), "reason", {});
    const callbackAt = field(t("callbackAt"), "callbackAt", { type: "datetime-local", required: true });
    const forMe = h("label", { class: "check" }, h("input", { type: "checkbox", name: "callbackForMe", checked: true }), t("callbackForMe"));
    const setCallback = (date) => (callbackAt.querySelector("input").value = localInput(date));
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(10, 0, 0, 0);
    const record = async (body) => {
      const before = calling?.timeline?.length ?? 0;
      await api("POST", `/v1/dialer/entries/${entry.id}/outcome`, body);
      sessionStorage.removeItem(held);
      clearInterval(clock);
      const said = t("outcomeLogged", { outcome: t("outcome." + body.outcome) });
      notify(said);
      const after = h("div", { class: "lead-details" });
      panel.replaceChildren(h("p", { role: "status", class: "logged" }, said), after);
      // A call-back kept for the operator keeps the card theirs: its timeline shows the outcome once deals has it.
      if (body.outcome === "callback" && body.callbackForMe) {
        for (let i = 0; i < 20 && panel.isConnected; i++) {
          const fresh = await api("GET", `/v1/dialer/entries/${entry.id}/card`).catch(() => null);
          if (fresh && fresh.timeline.length > before) {
            after.replaceChildren(leadCard(fresh));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    const quick = ["no_answer", "busy", "offer_made"].map((outcome) =>
      h("button", { type: "button", dataset: { outcome }, onclick: (e) => withButton(e.target, () => record({ outcome })) }, t("outcome." + outcome)));
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

/** The lead's contact, deal and timeline as the card gives them. */
function leadCard(c) {
  return h("div", { class: "lead-card" }, h("div", { class: "pair" },
    c.contact ? h("div", { class: "card" }, h("h3", {}, t("contact")),
      h("p", { class: "big" }, `${c.contact.firstName} ${c.contact.lastName}`.trim() || t("noName")),
      h("p", {}, (c.contact.emails || []).join(", ")), h("p", {}, c.contact.company || "")) : h("p", {}, t("noContact")),
    c.deal ? h("div", { class: "card" }, h("h3", {}, t("deal")), h("p", { class: "big" }, c.deal.title),
      h("p", {}, t("status." + c.deal.status), c.deal.source ? ` · ${c.deal.source}` : "")) : null),
    h("h3", {}, t("timeline")),
    h("ol", { class: "timeline" }, timelineItems(c.timeline || [])));
}

async function withButton(button, work) {
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
