// The deal card (D1–D5): its fields, stage (moved here too), timeline, tasks, notes and,
// for those who see payments, what was paid. Each part loads on its own.
import { api } from "./api.js";
import { h, section, when, money, field, form, notify, table, person, timelineItems } from "./ui.js";
import { t } from "./i18n.js";
import { live } from "./live.js";
import { taskRows } from "./tasks.js";

export function dealCard(session, id) {
  const screen = h("div", { class: "card-screen" });
  const head = h("div", {}, h("h1", {}, t("deal"), ` #${id}`));
  screen.append(head, section("", () => Promise.all([api("GET", `/v1/deals/${id}`), api("GET", "/v1/pipelines")]), ([deal, pipelines]) => {
    head.querySelector("h1").textContent = deal.title;
    const pipeline = (pipelines.items || []).find((p) => p.id === deal.pipelineId);
    const stage = pipeline?.stages.find((s) => s.id === deal.stageId);
    return h("div", { class: "deal-fields" },
      h("dl", {},
        h("dt", {}, t("status")), h("dd", {}, t("status." + deal.status)),
        h("dt", {}, t("stage")), h("dd", { class: "stage-name" }, stage ? stage.name : `#${deal.stageId}`, pipeline ? ` (${pipeline.name})` : ""),
        h("dt", {}, t("amount")), h("dd", {}, money(deal.amountMinor, deal.currency)),
        h("dt", {}, t("contact")), h("dd", {}, h("a", { href: `#/contacts/${deal.contactId}` }, `#${deal.contactId}`)),
        h("dt", {}, t("responsible")), h("dd", {}, person(deal.responsibleId)),
        h("dt", {}, t("source")), h("dd", {}, deal.source || "—"),
        h("dt", {}, t("created")), h("dd", {}, when(deal.createdAt)),
        Object.entries(deal.customFields || {}).map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
      pipeline && deal.status === "open" ? moveForm(deal, pipeline) : null);
  }, { name: "deal" }));
  screen.append(timeline(id), dealTasks(session, id), appointments(id), notes(id));
  if (session.role === "admin") {
    screen.append(section(t("payments"), async () => {
      const deal = await api("GET", `/v1/deals/${id}`);
      const payments = await api("GET", "/v1/payments", undefined, { query: { contactId: deal.contactId, limit: 200 } });
      return (payments.items || []).filter((p) => p.dealId === id || p.dealId === null);
    }, (rows) => table([[t("when"), (p) => when(p.paidAt || p.createdAt)], [t("amount"), (p) => money(p.amountMinor, p.currency)], [t("status"), (p) => p.status]], rows),
    { name: "payments" }));
  }
  return screen;
}

function moveForm(deal, pipeline) {
  const options = pipeline.stages.map((s) => [String(s.id), s.name]);
  const reason = field(t("lossReason"), "lossReason", {});
  reason.hidden = true;
  const el = form([field(t("moveTo"), "stageId", { options, value: String(deal.stageId) }), reason], t("move"), async (v) => {
    const moved = await api("POST", `/v1/deals/${deal.id}/stage`, { stageId: Number(v.stageId), lossReason: v.lossReason || undefined });
    notify(t("moved"));
    location.hash = `#/deals/${moved.id}`;
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }, { class: "inline-form" });
  const select = el.querySelector("select");
  select.value = String(deal.stageId);
  select.addEventListener("change", () => {
    reason.hidden = pipeline.stages.find((s) => String(s.id) === select.value)?.outcome !== "lost";
  });
  return el;
}

/** A deal's timeline, newest first, with older entries on demand. */
export function timeline(dealID, { refreshAfterEvent = false } = {}) {
  const part = section(t("timeline"), () => api("GET", `/v1/deals/${dealID}/timeline`, undefined, { query: { limit: 50 } }), (page) => {
    const list = h("ol", { class: "timeline" });
    const add = (items) => list.append(...timelineItems(items));
    add(page.items || []);
    let before = page.nextBefore;
    const older = h("button", { type: "button", hidden: !before }, t("older"));
    older.addEventListener("click", async () => {
      const next = await api("GET", `/v1/deals/${dealID}/timeline`, undefined, { query: { limit: 50, before } });
      add(next.items || []);
      before = next.nextBefore;
      older.hidden = !before;
    });
    return h("div", {}, (page.items || []).length ? list : h("p", { class: "empty" }, t("nothing")), older);
  }, { name: "timeline" });
  // What others do to the deal arrives live; after an outcome, its entry comes a moment later.
  live.on("deal", (event) => { if (event.dealId === dealID) part.reload(); }, part);
  if (refreshAfterEvent) for (const delay of [700, 2000, 5000]) setTimeout(() => part.isConnected && part.reload(), delay);
  return part;
}

function dealTasks(session, dealID) {
  const part = section(t("tasks"), () => api("GET", "/v1/tasks", undefined, { query: { dealId: dealID, limit: 200 } }), (list) => h("div", {},
    taskRows(list.items || [], () => part.reload()),
    form([
      field(t("kind"), "kind", { options: ["call_back", "follow_up", "meeting", "custom"].map((k) => [k, t("task." + k)]) }),
      field(t("title"), "title", {}),
      field(t("due"), "dueAt", { type: "datetime-local" }),
    ], t("addTask"), async (v) => {
      await api("POST", "/v1/tasks", {
        dealId: dealID, kind: v.kind, title: v.title || undefined, dueAt: v.dueAt ? new Date(v.dueAt).toISOString() : undefined, assigneeId: session.staffId,
      });
      notify(t("taskAdded"));
      part.reload();
    }, { class: "inline-form" })), { name: "tasks" });
  return part;
}

function appointments(dealID) {
  return section(t("appointments"), () => api("GET", `/v1/deals/${dealID}/appointments`), (list) => table([
    [t("when"), (a) => when(a.start)], [t("kind"), (a) => t("appointmentKind." + a.kind, {}, a.kind)], [t("address"), (a) => a.address || "—"],
    [t("status"), (a) => t("appointment." + a.status, {}, a.status)],
  ], list.items || []), { name: "appointments" });
}

function notes(dealID) {
  return h("section", { class: "part" }, h("h2", {}, t("addNote")), form([field(t("note"), "text", { multiline: true })], t("save"), async (v, el) => {
    await api("POST", `/v1/deals/${dealID}/notes`, { text: v.text });
    el.reset();
    notify(t("noteSaved"));
  }));
}
