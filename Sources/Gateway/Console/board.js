// The deals board (D1, D4): a pipeline's stages as columns, its deals as cards; drag a
// card (or pick a stage from its menu, by keyboard) to move it. Cards say when a deal is
// over its stage's SLA or has a problem (an overdue task, no next task).
import { api, all } from "./api.js";
import { h, section, money, notify, field, form, person } from "./ui.js";
import { t } from "./i18n.js";
import { live } from "./live.js";

const chosen = "switchboard.pipeline";

export function board(session) {
  const picker = h("select", { id: "pipeline", "aria-label": t("pipeline") });
  const columns = h("div", { class: "board" });
  const screen = h("div", {}, h("h1", {}, t("menu.board")), h("label", {}, t("pipeline"), " ", picker), columns);
  let pipelines = [];

  const draw = () => {
    const pipeline = pipelines.find((p) => String(p.id) === picker.value) || pipelines[0];
    if (!pipeline) return columns.replaceChildren(h("p", { class: "empty" }, t("noPipelines")));
    sessionStorage.setItem(chosen, String(pipeline.id));
    columns.replaceChildren(section("", async () => {
      const [open, problems, closed] = await Promise.all([
        all("/v1/deals", { pipelineId: pipeline.id, status: "open" }, 5000),
        api("GET", "/v1/deals/problems", undefined, { query: { limit: 1000 } }).catch(() => ({ items: [] })),
        Promise.all(pipeline.stages.filter((s) => s.outcome !== "in_progress").map((s) =>
          api("GET", "/v1/deals", undefined, { query: { pipelineId: pipeline.id, stageId: s.id, limit: 20 } }).then((p) => p.items || []))),
      ]);
      return { deals: open.concat(closed.flat()), problems: new Map((problems.items || []).map((p) => [p.deal.id, p.reasons])) };
    }, ({ deals, problems }) => h("div", { class: "columns" }, pipeline.stages.map((stage) => column(pipeline, stage, deals.filter((d) => d.stageId === stage.id), problems, draw))),
    { name: "board" }));
  };
  picker.addEventListener("change", draw);
  api("GET", "/v1/pipelines").then((list) => {
    pipelines = list.items || [];
    picker.replaceChildren(...pipelines.map((p) => h("option", { value: String(p.id) }, p.name)));
    const kept = sessionStorage.getItem(chosen);
    if (kept && pipelines.some((p) => String(p.id) === kept)) picker.value = kept;
    draw();
  }).catch((error) => columns.replaceChildren(h("p", { class: "unavailable" }, t("unavailable", { what: t("pipeline") }), " ", error.message)));
  live.on("deal", () => draw(), screen);
  return screen;
}

function column(pipeline, stage, deals, problems, redraw) {
  const list = h("ul", { class: "cards" }, deals.map((deal) => card(pipeline, stage, deal, problems.get(deal.id), redraw)));
  const el = h("section", { class: "column " + stage.outcome, dataset: { stage: String(stage.id) }, "aria-label": stage.name },
    h("h2", {}, stage.name, h("span", { class: "count" }, ` ${deals.length}`)), list);
  el.addEventListener("dragover", (e) => { e.preventDefault(); el.classList.add("over"); });
  el.addEventListener("dragleave", () => el.classList.remove("over"));
  el.addEventListener("drop", (e) => {
    e.preventDefault();
    el.classList.remove("over");
    const id = Number(e.dataTransfer.getData("text/plain"));
    if (id) move(id, stage, redraw);
  });
  return el;
}

function card(pipeline, stage, deal, reasons, redraw) {
  const overSLA = deal.status === "open" && stage.slaMinutes > 0 && Date.now() - Date.parse(deal.stageEnteredAt) > stage.slaMinutes * 60000;
  const menu = h("select", { "aria-label": t("moveTo") + " " + deal.title },
    h("option", { value: "" }, t("moveTo")), pipeline.stages.filter((s) => s.id !== stage.id).map((s) => h("option", { value: String(s.id) }, s.name)));
  menu.addEventListener("change", () => {
    const target = pipeline.stages.find((s) => String(s.id) === menu.value);
    if (target) move(deal.id, target, redraw);
  });
  const el = h("li", { class: "deal-card", draggable: "true", dataset: { deal: String(deal.id) } },
    h("a", { href: `#/deals/${deal.id}` }, deal.title),
    h("p", {}, money(deal.amountMinor, deal.currency), deal.responsibleId ? [" · ", person(deal.responsibleId)] : ""),
    overSLA ? h("span", { class: "badge sla", title: t("overSLA") }, "SLA") : null,
    reasons ? h("span", { class: "badge problem", title: reasons.join(", ") }, t("problem")) : null,
    deal.status === "open" ? menu : null);
  el.addEventListener("dragstart", (e) => {
    e.dataTransfer.setData("text/plain", String(deal.id));
    e.dataTransfer.effectAllowed = "move";
  });
  return el;
}

async function move(dealID, stage, redraw) {
  let lossReason;
  if (stage.outcome === "lost") {
    lossReason = await ask(t("lossReason"));
    if (!lossReason) return;
  }
  try {
    await api("POST", `/v1/deals/${dealID}/stage`, { stageId: stage.id, lossReason });
    notify(t("movedTo", { stage: stage.name }));
  } catch (error) {
    notify(error.message, "error");
  }
  redraw();
}

/** A small modal question; resolves with the answer or "" when dismissed. */
export function ask(question) {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "ask" });
    const el = form([field(question, "answer", { required: true })], t("ok"), async (v) => {
      dialog.close();
      resolve(v.answer.trim());
    });
    el.append(h("button", { type: "button", onclick: () => { dialog.close(); resolve(""); } }, t("cancel")));
    dialog.append(el);
    dialog.addEventListener("close", () => { dialog.remove(); resolve(""); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
