// The contact card (C1–C6): who they are, their deals and their timeline.
import { api } from "./api.js";
import { h, section, when, table, money, paged, timelineItems } from "./ui.js";
import { t } from "./i18n.js";

export function contactCard(session, id) {
  const title = h("h1", {}, t("contact"), ` #${id}`);
  return h("div", { class: "card-screen" }, title,
    section("", () => api("GET", `/v1/contacts/${id}`), (c) => {
      title.textContent = `${c.firstName} ${c.lastName}`.trim() || t("noName");
      return h("dl", {},
        h("dt", {}, t("phones")), h("dd", {}, (c.phones || []).map((p) => h("a", { href: `tel:${p.number}` }, p.number, " "))),
        h("dt", {}, t("email")), h("dd", {}, (c.emails || []).join(", ") || "—"),
        h("dt", {}, t("company")), h("dd", {}, c.company || "—"),
        h("dt", {}, t("tags")), h("dd", {}, (c.tags || []).join(", ") || "—"),
        h("dt", {}, t("created")), h("dd", {}, when(c.createdAt)),
        Object.entries(c.customFields || {}).map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]));
    }, { name: "contact" }),
    section(t("deals"), () => api("GET", "/v1/deals", undefined, { query: { contactId: id, limit: 100 } }), (page) => table([
      [t("title"), (d) => h("a", { href: `#/deals/${d.id}` }, d.title)], [t("status"), (d) => t("status." + d.status)],
      [t("amount"), (d) => money(d.amountMinor, d.currency)], [t("created"), (d) => when(d.createdAt)],
    ], page.items || []), { name: "deals" }),
    section(t("timeline"), () => api("GET", `/v1/contacts/${id}/timeline`, undefined, { query: { limit: 50 } }), (page) =>
      h("ol", { class: "timeline" }, timelineItems(page.items || [])),
    { name: "timeline" }));
}

/** Contacts found by name, phone, email or company (C6), a page at a time. */
export function contacts() {
  const query = h("input", { type: "search", id: "contact-search", "aria-label": t("search"), placeholder: t("searchContacts") });
  const holder = h("div", {});
  const draw = () => holder.replaceChildren(paged((cursor) => api("GET", "/v1/contacts", undefined, { query: { q: query.value.trim(), cursor, limit: 50 } }),
    (items) => table([
      [t("name"), (c) => h("a", { href: `#/contacts/${c.id}` }, `${c.firstName} ${c.lastName}`.trim() || t("noName"))],
      [t("phones"), (c) => (c.phones || []).map((p) => p.number).join(", ")],
      [t("email"), (c) => (c.emails || []).join(", ")],
      [t("company"), (c) => c.company || ""],
      [t("created"), (c) => when(c.createdAt, { time: false })],
    ], items)));
  let timer = null;
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(draw, 300);
  });
  draw();
  return h("div", {}, h("h1", {}, t("menu.contacts")), h("label", {}, t("search"), " ", query), holder);
}
