// The deals board (D1, D4): a pipeline's stages as columns, its deals as cards; drag a
// card (or pick a stage from its menu, by keyboard) to move it. Cards say when a deal is
// over its stage's SLA or has a problem (an overdue task, no next task).
import { api } from "./api.js";
import { h, section, money, notify, field, form, person, settled } from "./ui.js";
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
    // Each stage a page at a time (50 cards, then "more"): a pipeline of 10,000 deals opens at once.
    columns.replaceChildren(section("", async () => {
      const [pages, problems] = await Promise.all([
        Promise.all(pipeline.stages.map((s) => page(pipeline, s, ""))),
        api("GET", "/v1/deals/problems", undefined, { query: { limit: 1000 } }).catch(() => ({ items: [] })),
      ]);
      return { pages, problems: new Map((problems.items || []).map((p) => [p.deal.id, p.reasons])) };
    }, ({ pages, problems }) => h("div", { class: "columns" }, pipeline.stages.map((stage, i) => column(pipeline, stage, pages[i], problems, draw))),
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
  live.on("deal", settled(() => draw()), screen);
  return screen;
}

/** A page of a stage's deals: open ones for working stages, every one for won and lost. */
function page(pipeline, stage, cursor) {
  const query = { pipelineId: pipeline.id, stageId: stage.id, status: stage.outcome === "in_progress" ? "open" : undefined, limit: 50, cursor };
  return api("GET", "/v1/deals", undefined, { query });
}

function column(pipeline, stage, first, problems, redraw) {
  const list = h("ul", { class: "cards" });
  const more = h("button", { type: "button", class: "more" }, t("more"));
  const count = h("span", { class: "count" });
  let cursor = "", shown = 0;
  const add = (result) => {
    const deals = result.items || [];
    list.append(...deals.map((deal) => card(pipeline, stage, deal, problems.get(deal.id), redraw)));
    shown += deals.length;
    cursor = result.nextCursor || "";
    more.hidden = !cursor;
    count.textContent = ` ${shown}${cursor ? "+" : ""}`;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      add(await page(pipeline, stage, cursor));
    } catch (error) {
      notify(error.message, "error");
    } finally {
      more.disabled = false;
    }
  });
  add(first);
  const el = h("section", { class: "column " + stage.outcome, dataset: { stage: String(stage.id) }, "aria-label": stage.name },
    h("h2", {}, stage.name, count), list, more);
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
