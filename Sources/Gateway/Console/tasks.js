// Tasks (D4): mine, or the team's for a manager; open or overdue; done with one click.
import { api } from "./api.js";
import { h, section, when, notify, table, person, settled } from "./ui.js";
import { t } from "./i18n.js";
import { live } from "./live.js";

export function tasks(session, { mine }) {
  const filter = h("select", { id: "task-filter", "aria-label": t("show") },
    h("option", { value: "open" }, t("open")), h("option", { value: "overdue" }, t("overdue")), h("option", { value: "done" }, t("done")));
  const query = () => ({ mine: mine ? true : undefined, overdue: filter.value === "overdue" || undefined, status: filter.value === "done" ? "done" : undefined, limit: 500 });
  const part = section("", () => api("GET", "/v1/tasks", undefined, { query: query() }), (list) => taskRows(list.items || [], () => part.reload()), { name: "tasks" });
  filter.addEventListener("change", () => part.reload());
  const screen = h("div", {}, h("h1", {}, t(mine ? "menu.tasks" : "menu.teamTasks")), h("label", {}, t("show"), " ", filter), part);
  live.on("task", settled(() => part.reload()), screen);
  return screen;
}

/** Rows of tasks with a "done" button on the open ones; `changed` after one is done. */
export function taskRows(items, changed) {
  const now = Date.now();
  return table([
    [t("due"), (task) => h("span", { class: task.status === "open" && task.dueAt && Date.parse(task.dueAt) < now ? "overdue" : "" }, when(task.dueAt))],
    [t("kind"), (task) => t("task." + task.kind)],
    [t("title"), (task) => task.title || "—"],
    [t("deal"), (task) => task.dealId ? h("a", { href: `#/deals/${task.dealId}` }, `#${task.dealId}`) : task.contactId ? h("a", { href: `#/contacts/${task.contactId}` }, `#${task.contactId}`) : "—"],
    [t("assignee"), (task) => person(task.assigneeId)],
    ["", (task) => task.status === "open" ? h("button", {
      type: "button", onclick: async (e) => {
        e.target.disabled = true;
        try {
          await api("POST", `/v1/tasks/${task.id}/complete`, { status: "done" });
          notify(t("taskDone"));
          changed();
        } catch (error) {
          notify(error.message, "error");
          e.target.disabled = false;
        }
      },
    }, t("markDone")) : t("task.status." + task.status)],
  ], items);
}
