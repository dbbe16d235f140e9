// The conversations inbox (C7, N1): WhatsApp, Telegram, SMS and email threads with their
// clients; new messages arrive live; answers go out through the send log.
import { api } from "./api.js";
import { h, section, when, paged, notify, field, form, table, settled } from "./ui.js";
import { t } from "./i18n.js";
import { live } from "./live.js";

export function inbox(session) {
  const filter = h("select", { id: "inbox-filter", "aria-label": t("show") },
    ["mine", "unassigned", "unread", "all", "closed"].map((f) => h("option", { value: f }, t("inbox." + f))));
  if (session.role === "admin" || session.role.includes("manager")) filter.value = "all";
  const holder = h("div", { class: "inbox-list" });
  const load = () => {
    const f = filter.value;
    holder.replaceChildren(paged((cursor) => api("GET", "/v1/conversations", undefined, {
      query: { mine: f === "mine" || undefined, unassigned: f === "unassigned" || undefined, unread: f === "unread" || undefined, state: f === "closed" ? "closed" : undefined, cursor, limit: 50 },
    }), (items) => conversationRows(items)));
  };
  filter.addEventListener("change", load);
  load();
  const screen = h("div", {}, h("h1", {}, t("menu.inbox")), h("label", {}, t("show"), " ", filter), holder);
  live.on("message", settled(() => load(), 300), screen);
  return screen;
}

function conversationRows(items) {
  return table([
    [t("channel"), (c) => t("channel." + c.channel, {}, c.channel)],
    [t("title"), (c) => h("a", { href: `#/inbox/${c.id}`, class: c.unread ? "unread" : "" }, c.title || `#${c.id}`, c.unread ? ` (${c.unread})` : "")],
    [t("lastMessage"), (c) => h("span", { class: "preview" }, c.preview)],
    [t("when"), (c) => when(c.lastMessageAt)],
  ], items, { empty: t("noConversations") });
}

export function conversation(session, id) {
  const thread = h("ol", { class: "messages", "aria-live": "polite" });
  const load = async () => {
    const page = await api("GET", `/v1/conversations/${id}/messages`, undefined, { query: { limit: 100 } });
    thread.replaceChildren(...(page.items || []).slice().reverse().map((m) => h("li", { class: "message " + m.direction },
      h("p", {}, m.text || (m.kind !== "text" ? `[${m.kind}]` : "")),
      h("p", { class: "meta" }, when(m.at), m.direction === "outbound" ? ` · ${t("send." + m.status, {}, m.status)}` : ""))));
    api("POST", `/v1/conversations/${id}/read`).catch(() => {});
  };
  const reply = form([field(t("reply"), "text", { multiline: true, required: true })], t("send"), async (v, el) => {
    await api("POST", `/v1/conversations/${id}/messages`, { text: v.text });
    el.reset();
    notify(t("sent"));
    await load();
  }, { id: "reply" });
  const screen = h("div", { class: "conversation" },
    h("h1", {}, t("conversation"), ` #${id}`),
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: () => act(`/v1/conversations/${id}/assign`, { assigneeId: session.staffId }, t("assignedToMe")) }, t("assignToMe")),
      h("button", { type: "button", onclick: () => act(`/v1/conversations/${id}/close`, undefined, t("closed")) }, t("close"))),
    section("", async () => { await load(); return true; }, () => thread, { name: "messages" }),
    reply);
  live.on("message", (event) => { if (event.conversationId === id) load(); }, screen);
  return screen;
}

async function act(path, body, done) {
  try {
    await api("POST", path, body);
    notify(done);
  } catch (error) {
    notify(error.message, "error");
  }
}
