// The admin's screens (D8, G2, N1–N5): staff and their access (invites, roles, leaving),
// pipelines and stages, custom fields, integrations and their hook URLs, channels,
// templates with preview, rules, alerts, credentials, parked events and failed hooks with
// replay, and each thing's history of changes.
import { api, all } from "./api.js";
import { h, section, table, when, field, form, notify, paged } from "./ui.js";
import { t } from "./i18n.js";
import { ask } from "./board.js";

const tabs = ["staff", "pipelines", "fields", "integrations", "channels", "templates", "rules", "alerts", "credentials", "parked", "hooks", "history"];
const roles = ["operator", "manager", "senior_manager", "engineer", "teacher", "admin"];
const services = ["contacts", "deals", "telephony", "scheduling", "billing", "notifications"];

export function admin(session, tab) {
  const view = screens[tab] || screens.staff;
  return h("div", {},
    h("h1", {}, t("menu.admin")),
    h("nav", { class: "tabs", "aria-label": t("menu.admin") }, tabs.map((name) => h("a", { href: `#/admin/${name}`, "aria-current": name === tab ? "page" : false }, t("admin." + name)))),
    view(session));
}

/** A button that runs `work`, saying what happened. */
function action(label, work, attrs = {}) {
  return h("button", {
    type: "button", ...attrs, onclick: async (e) => {
      e.target.disabled = true;
      try {
        await work();
      } catch (error) {
        notify(error.message, "error");
      } finally {
        e.target.disabled = false;
      }
    },
  }, label);
}

/** Drops what an answer has and an input refuses (ids, timestamps, nulls). */
function input(object, readOnly = ["id", "createdAt", "updatedAt"]) {
  const copy = {};
  for (const [key, value] of Object.entries(object)) if (!readOnly.includes(key) && value !== null) copy[key] = value;
  return copy;
}

const screens = {
  staff(session) {
    const shown = h("div", { class: "invite-link", role: "status" });
    const list = section(t("admin.staff"), () => all("/v1/staff", {}, 5000), (members) => table([
      ["#", (m) => String(m.id)],
      [t("name"), (m) => `${m.firstName} ${m.lastName}`.trim()],
      [t("email"), (m) => m.email || "—"],
      [t("role"), (m) => {
        if (m.deactivatedAt) return t("left", { when: when(m.deactivatedAt) });
        const select = h("select", { "aria-label": t("role") + " " + m.firstName }, roles.map((r) => h("option", { value: r, selected: r === m.role }, t("role." + r))));
        select.addEventListener("change", async () => {
          try {
            await api("PUT", `/v1/staff/${m.id}`, input({ ...m, role: select.value }, ["id", "deactivatedAt", "handedToId"]));
            notify(t("saved"));
          } catch (error) {
            notify(error.message, "error");
            select.value = m.role;
          }
        });
        return select;
      }],
      ["", (m) => m.deactivatedAt ? "" : h("div", { class: "row-actions" },
        action(t("invite"), async () => {
          const invite = await api("POST", `/v1/staff/${m.id}/invites`);
          const url = new URL(invite.path, location.origin).href;
          shown.replaceChildren(t("inviteFor", { name: m.firstName }), " ", h("input", { readonly: true, value: url, class: "copy", "aria-label": t("inviteLink") }),
            " ", t("inviteUntil", { when: when(invite.expiresAt) }));
        }),
        action(t("deactivate"), async () => {
          const to = await ask(t("handTo"));
          if (!to) return;
          await api("POST", `/v1/staff/${m.id}/deactivate`, { handToId: Number(to) });
          notify(t("saved"));
          list.reload();
        }))],
    ], members), { name: "staff" });
    return h("div", {}, shown, list, h("h2", {}, t("addStaff")), form([
      field(t("firstName"), "firstName", { required: true }), field(t("lastName"), "lastName", {}),
      field(t("role"), "role", { options: roles.map((r) => [r, t("role." + r)]) }), field(t("email"), "email", { type: "email" }),
      field(t("supervisor"), "supervisorId", { type: "number", min: 1 }),
    ], t("add"), async (v, el) => {
      await api("POST", "/v1/staff", { firstName: v.firstName, lastName: v.lastName || undefined, role: v.role, email: v.email || undefined, supervisorId: v.supervisorId });
      el.reset();
      notify(t("saved"));
      list.reload();
    }, { id: "add-staff" }));
  },

  pipelines() {
    return section(t("admin.pipelines"), () => api("GET", "/v1/pipelines"), (list) => h("div", {}, (list.items || []).map((p) => pipelineForm(p))), { name: "pipelines" });
  },

  fields() {
    const list = section(t("admin.fields"), () => api("GET", "/v1/custom-fields"), (r) => table([
      [t("entity"), (f) => f.entity], [t("name"), (f) => f.name], [t("type"), (f) => f.type], [t("required"), (f) => (f.required ? "✓" : "")],
      [t("options"), (f) => (f.options || []).join(", ")], [t("archived"), (f) => (f.archived ? "✓" : "")],
    ], r.items || []), { name: "fields" });
    const types = ["text", "number", "money", "date", "date_time", "boolean", "one_of", "many_of", "staff", "url"];
    return h("div", {}, list, h("h2", {}, t("declareField")), form([
      field(t("entity"), "entity", { options: [["deal", t("deal")], ["contact", t("contact")]] }), field(t("name"), "name", { required: true, pattern: "[a-z0-9_]+" }),
      field(t("type"), "type", { options: types.map((x) => [x, x]) }), field(t("label"), "label", {}),
      field(t("options"), "options", { placeholder: "a, b, c" }), h("label", { class: "check" }, h("input", { type: "checkbox", name: "required" }), t("required")),
    ], t("save"), async (v) => {
      const options = v.options ? v.options.split(",").map((x) => x.trim()).filter(Boolean) : undefined;
      await api("PUT", `/v1/custom-fields/${v.entity}/${encodeURIComponent(v.name)}`, { type: v.type, label: v.label || undefined, options, required: v.required });
      notify(t("saved"));
      list.reload();
    }));
  },

  integrations() {
    const made = h("div", { role: "status" });
    const list = section(t("admin.integrations"), () => api("GET", "/v1/admin/integrations"), (r) => table([
      [t("name"), (i) => i.name], [t("kind"), (i) => i.kind], [t("hookURL"), (i) => h("code", {}, new URL(i.hookPath, location.origin).href)],
      [t("created"), (i) => when(i.createdAt)], [t("status"), (i) => (i.revokedAt ? t("revoked") : t("active"))],
      ["", (i) => h("a", { href: `#/admin/history`, onclick: () => sessionStorage.setItem("switchboard.history", `admin/integrations/${i.id}`) }, t("history"))],
    ], r.items || []), { name: "integrations" });
    const kinds = ["timepad", "cloudpayments", "whatsapp", "ringostat", "amocrm", "bitrix24", "leyka", "telegram", "smsru"];
    return h("div", {}, made, list, h("h2", {}, t("addIntegration")), form([
      field(t("name"), "name", { required: true }), field(t("kind"), "kind", { options: kinds.map((k) => [k, k]) }),
      field(t("secret"), "secret", { type: "password", autocomplete: "off" }),
    ], t("add"), async (v, el) => {
      const created = await api("POST", "/v1/admin/integrations", { name: v.name, kind: v.kind, secret: v.secret || undefined });
      made.replaceChildren(t("giveProvider"), " ", h("code", {}, new URL(created.hookPath, location.origin).href));
      el.reset();
      list.reload();
    }));
  },

  channels() {
    return section(t("admin.channels"), () => api("GET", "/v1/notification-channels"), (r) => table([
      [t("channel"), (c) => c.channel], [t("provider"), (c) => c.provider], [t("sender"), (c) => c.sender], [t("token"), (c) => (c.tokenSet ? "✓" : "—")],
      [t("timeZone"), (c) => c.timeZone], [t("locale"), (c) => c.locale],
    ], r.items || []), { name: "channels" });
  },

  templates() {
    const preview = h("div", { class: "preview", role: "status" });
    return h("div", {}, section(t("admin.templates"), () => api("GET", "/v1/templates"), (r) => table([
      [t("name"), (x) => x.name], [t("channel"), (x) => x.channel], [t("event"), (x) => x.eventType], [t("subject"), (x) => x.subject],
      ["", (x) => action(t("preview"), async () => {
        const shown = await api("POST", `/v1/templates/${x.id}/preview`, { values: {} });
        preview.replaceChildren(h("h3", {}, x.name), shown.subject ? h("p", {}, h("strong", {}, shown.subject)) : null, h("pre", {}, shown.body));
      })],
    ], r.items || []), { name: "templates" }), preview);
  },

  rules() {
    const list = section(t("admin.rules"), () => api("GET", "/v1/notification-rules"), (r) => table([
      [t("name"), (x) => x.name], [t("event"), (x) => x.eventType], [t("channel"), (x) => x.channel], [t("recipient"), (x) => x.recipient],
      [t("enabled"), (x) => {
        const box = h("input", { type: "checkbox", checked: x.enabled, "aria-label": t("enabled") + " " + x.name });
        box.addEventListener("change", async () => {
          try {
            await api("PUT", `/v1/notification-rules/${x.id}`, input({ ...x, enabled: box.checked }));
            notify(t("saved"));
          } catch (error) {
            box.checked = !box.checked;
            notify(error.message, "error");
          }
        });
        return box;
      }],
    ], r.items || []), { name: "rules" });
    return list;
  },

  alerts() {
    return section(t("admin.alerts"), () => api("GET", "/v1/alerts"), (r) => table([
      [t("name"), (x) => x.name], [t("metric"), (x) => x.metric], [t("threshold"), (x) => x.threshold], [t("state"), (x) => h("span", { class: "state " + x.state }, x.state)],
      [t("since"), (x) => when(x.since)], [t("value"), (x) => x.lastValue],
    ], r.items || []), { name: "alerts" });
  },

  credentials() {
    const made = h("div", { role: "status" });
    const list = section(t("admin.credentials"), () => api("GET", "/v1/admin/credentials"), (r) => table([
      [t("name"), (x) => x.name], [t("role"), (x) => x.role + (x.staffId ? ` #${x.staffId}` : "")], [t("prefix"), (x) => h("code", {}, x.prefix)],
      [t("created"), (x) => when(x.createdAt)], [t("status"), (x) => (x.revokedAt ? t("revoked") : t("active"))],
      ["", (x) => x.revokedAt ? "" : action(t("revoke"), async () => { await api("DELETE", `/v1/admin/credentials/${x.id}`); list.reload(); })],
    ], r.items || []), { name: "credentials" });
    return h("div", {}, made, list, h("h2", {}, t("addCredential")), form([
      field(t("name"), "name", { required: true }), field(t("role"), "role", { options: ["integration", "reader", "admin", "staff"].map((x) => [x, x]) }),
      field(t("staffMember"), "staffId", { type: "number", min: 1 }),
    ], t("add"), async (v, el) => {
      const created = await api("POST", "/v1/admin/credentials", { name: v.name, role: v.role, staffId: v.staffId });
      made.replaceChildren(t("secretOnce"), " ", h("input", { readonly: true, value: created.secret, class: "copy", "aria-label": t("secret") }));
      el.reset();
      list.reload();
    }));
  },

  parked() {
    const service = h("select", { "aria-label": t("service") }, services.map((s) => h("option", { value: s }, s)));
    const holder = h("div", {});
    const draw = () => holder.replaceChildren(paged((cursor) => api("GET", `/v1/admin/events/${service.value}/parked`, undefined, { query: { cursor, limit: 100 } }),
      (items) => table([
        [t("event"), (x) => x.type], [t("subscriber"), (x) => x.subscriber], [t("why"), (x) => x.message || x.heldBehind], [t("when"), (x) => when(x.parkedAt)],
        ["", (x) => h("div", { class: "row-actions" },
          action(t("replay"), async () => { await api("POST", `/v1/admin/events/${service.value}/parked/${x.id}/replay`); notify(t("replayed")); draw(); }),
          action(t("discard"), async () => { await api("DELETE", `/v1/admin/events/${service.value}/parked/${x.id}`); draw(); }))],
      ], items)));
    service.addEventListener("change", draw);
    draw();
    return h("div", {}, h("label", {}, t("service"), " ", service), holder);
  },

  hooks() {
    const holder = h("div", {});
    const draw = () => holder.replaceChildren(paged((cursor) => api("GET", "/v1/admin/hooks", undefined, { query: { status: "failed", cursor, limit: 100 } }),
      (items) => table([
        ["#", (x) => String(x.id)], [t("integration"), (x) => x.integration], [t("when"), (x) => when(x.receivedAt)], [t("why"), (x) => x.lastError],
        ["", (x) => h("div", { class: "row-actions" },
          action(t("replay"), async () => { await api("POST", `/v1/admin/hooks/${x.id}/replay`); notify(t("replayed")); draw(); }),
          action(t("discard"), async () => {
            const reason = await ask(t("why"));
            if (reason) { await api("POST", `/v1/admin/hooks/${x.id}/discard`, { reason }); draw(); }
          }))],
      ], items, { empty: t("noFailedHooks") })));
    draw();
    return h("div", {}, h("h2", {}, t("failedHooks")), holder);
  },

  history() {
    const what = h("input", { id: "history-path", value: sessionStorage.getItem("switchboard.history") || "staff/1", "aria-describedby": "history-help" });
    const holder = h("div", {});
    const draw = () => holder.replaceChildren(section("", () => api("GET", `/v1/${what.value.replace(/^\/+|\/+$/g, "")}/history`), (r) => table([
      [t("when"), (x) => when(x.at)], [t("who"), (x) => (x.actorId ? `#${x.actorId}` : x.credentialId ? `key #${x.credentialId}` : "api")], [t("change"), (x) => x.summary],
    ], r.items || []), { name: "history" }));
    return h("div", {}, h("label", {}, t("historyOf"), " ", what), h("p", { id: "history-help", class: "help" }, t("historyHelp")),
      h("button", { type: "button", onclick: draw }, t("show")), holder);
  },
};

function pipelineForm(pipeline) {
  const rows = h("tbody", {});
  const addRow = (stage) => rows.append(h("tr", { dataset: { id: stage.id ? String(stage.id) : "" } },
    h("td", {}, h("input", { value: stage.name || "", "aria-label": t("stageName"), class: "stage-name", required: true })),
    h("td", {}, h("select", { "aria-label": t("outcome") }, ["in_progress", "won", "lost"].map((o) => h("option", { value: o, selected: o === (stage.outcome || "in_progress") }, t("stageOutcome." + o))))),
    h("td", {}, h("input", { type: "number", min: 0, value: stage.slaMinutes || 0, "aria-label": t("slaMinutes") })),
    h("td", {}, h("button", { type: "button", onclick: (e) => e.target.closest("tr").remove() }, t("retire")))));
  pipeline.stages.forEach(addRow);
  const name = field(t("name"), "name", { value: pipeline.name, required: true });
  const el = form([
    name,
    h("table", { class: "stages" }, h("thead", {}, h("tr", {}, [t("stage"), t("outcome"), t("slaMinutes"), ""].map((x) => h("th", { scope: "col" }, x)))), rows),
    h("button", { type: "button", onclick: () => addRow({}) }, t("addStage")),
  ], t("save"), async (v) => {
    const stages = [...rows.querySelectorAll("tr")].map((tr) => {
      const [n, outcome, sla] = tr.querySelectorAll("input,select");
      return { ...(tr.dataset.id ? { id: Number(tr.dataset.id) } : {}), name: n.value, outcome: outcome.value, slaMinutes: Number(sla.value) || 0 };
    });
    await api("PUT", `/v1/pipelines/${pipeline.id}`, {
      name: v.name, stages, channels: pipeline.channels, isDefault: pipeline.isDefault, replyWithinMinutes: pipeline.replyWithinMinutes ?? undefined,
    });
    notify(t("saved"));
  }, { class: "pipeline", dataset: { pipeline: String(pipeline.id) } });
  return h("section", { class: "part" }, h("h2", {}, pipeline.name), el);
}
