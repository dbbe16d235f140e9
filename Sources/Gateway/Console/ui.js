// Small DOM tools the screens share: building elements, showing errors next to the
// fields they name, sections that load on their own (one slow service never blocks the
// rest of a screen), paging, dates and money.
import { t, language } from "./i18n.js";
import { all } from "./api.js";

/** h("button", {onclick, class: "x"}, "text", child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A labelled input; `name` is the API's field name, so an error naming it lands here. */
export function field(label, name, attrs = {}) {
  const id = "f-" + name.replace(/[^a-zA-Z0-9]/g, "-") + "-" + Math.random().toString(36).slice(2, 7);
  const input = attrs.options
    ? h("select", { id, name, ...without(attrs, "options") }, attrs.options.map(([value, text]) => h("option", { value }, text)))
    : attrs.multiline ? h("textarea", { id, name, ...without(attrs, "multiline") }) : h("input", { id, name, ...attrs });
  if (attrs.value !== undefined && input.tagName !== "INPUT") input.value = attrs.value;
  return h("div", { class: "field", dataset: { field: name } },
    h("label", { for: id }, label), input, h("span", { class: "field-error", "aria-live": "polite" }));
}

function without(object, key) {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** Shows an API error on a form: each field error next to its field, the rest on top. */
export function showErrors(form, error) {
  clearErrors(form);
  const general = form.querySelector(".form-error");
  const unplaced = [];
  for (const item of error.fields || []) {
    const root = item.field.split(/[.[]/)[0];
    const holder = form.querySelector(`[data-field="${CSS.escape(item.field)}"]`) || form.querySelector(`[data-field="${CSS.escape(root)}"]`);
    if (holder) {
      holder.classList.add("invalid");
      holder.querySelector(".field-error").textContent = item.detail;
      holder.querySelector("input,select,textarea")?.setAttribute("aria-invalid", "true");
    } else unplaced.push(`${item.field}: ${item.detail}`);
  }
  general.textContent = [error.message, ...unplaced].join(" — ");
  (form.querySelector("[aria-invalid=true]") || general).focus?.();
}

export function clearErrors(form) {
  form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
  form.querySelectorAll(".field-error").forEach((el) => (el.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const general = form.querySelector(".form-error");
  if (general) general.textContent = "";
}

/** A form whose submit runs `action(values)`; errors go next to their fields. */
export function form(children, submitLabel, action, attrs = {}) {
  const el = h("form", { novalidate: true, ...attrs }, h("p", { class: "form-error", role: "alert", tabindex: "-1" }), children,
    submitLabel ? h("div", { class: "actions" }, h("button", { type: "submit" }, submitLabel)) : null);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter || el.querySelector("button[type=submit]");
    button.disabled = true;
    clearErrors(el);
    try {
      await action(values(el), el, event.submitter);
    } catch (error) {
      showErrors(el, error);
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/** A form's values by name: numbers for number inputs, booleans for checkboxes. */
export function values(form) {
  const out = {};
  for (const el of form.querySelectorAll("input[name],select[name],textarea[name]")) {
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "number") out[el.name] = el.value === "" ? undefined : Number(el.value);
    else out[el.name] = el.value;
  }
  return out;
}

/**
 * A part of a screen that loads by itself: a spinner, then `render(data)`; if its
 * service does not answer, the part says it is unavailable and offers to retry while the
 * rest of the screen works.
 */
export function section(title, load, render, { name } = {}) {
  const body = h("div", { class: "section-body", "aria-busy": "true" }, t("loading"));
  const el = h("section", { class: "part", dataset: { part: name || title } }, title ? h("h2", {}, title) : null, body);
  const run = async () => {
    body.setAttribute("aria-busy", "true");
    try {
      const data = await load();
      body.replaceChildren(render(data, run) ?? "");
    } catch (error) {
      body.replaceChildren(h("p", { class: "unavailable", role: "status" },
        error.status === 404 ? t("notFound") : t("unavailable", { what: title || "" }) + " " + (error.message || ""), " ",
        h("button", { type: "button", onclick: run }, t("retry"))));
    } finally {
      body.removeAttribute("aria-busy");
    }
  };
  run();
  el.reload = run;
  return el;
}

/** A table of `rows` with `columns` [[header, row => cell]]. */
export function table(columns, rows, { empty = t("nothing") } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.map(([header]) => h("th", { scope: "col" }, header)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row))))))));
}

/** A "more" button for cursor-paged lists: `load(cursor)` gives {items, nextCursor}. */
export function paged(load, renderRows) {
  const list = h("div", { class: "paged" });
  const more = h("button", { type: "button", class: "more" }, t("more"));
  let cursor = "";
  const next = async () => {
    more.disabled = true;
    try {
      const page = await load(cursor);
      list.append(renderRows(page.items || []));
      cursor = page.nextCursor || "";
      more.hidden = !cursor;
    } catch (error) {
      list.append(h("p", { class: "unavailable" }, t("unavailable", { what: "" }), " ", error.message || ""));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", next);
  next();
  return h("div", {}, list, more);
}

export function when(iso, { time = true } = {}) {
  if (!iso) return "—";
  const date = new Date(iso);
  return time ? date.toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" }) : date.toLocaleDateString(language(), { dateStyle: "medium" });
}

export function money(minor, currency) {
  if (minor === null || minor === undefined || (!currency && !minor)) return "—";
  try {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    return new Intl.NumberFormat(language(), { style: "currency", currency }).format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency || ""}`;
  }
}

export function percent(share) {
  return share === null || share === undefined ? "—" : new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** Shows a short message to everyone (screen readers too). */
export function notify(text, kind = "info") {
  const box = document.getElementById("notice");
  box.className = "notice " + kind;
  box.textContent = text;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (box.textContent = ""), 6000);
}

/** `YYYY-MM-DD` of a date in the browser's zone. */
export function day(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function link(href, text) {
  return h("a", { href }, text);
}

let names = null;

/** A staff member's name (their id until the staff list arrives; read once a page load). */
export function person(id) {
  if (!id) return "—";
  const el = h("span", { class: "person" }, `#${id}`);
  names ??= all("/v1/staff", {}, 5000).then((list) => new Map(list.map((m) => [m.id, `${m.firstName} ${m.lastName}`.trim()]))).catch(() => new Map());
  names.then((map) => { if (map.has(id)) el.textContent = map.get(id); });
  return el;
}

/** `work` at most once per `ms`, after the last call (a burst of live events redraws once). */
export function settled(work, ms = 800) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => work(...args), ms);
  };
}

/** A timeline's entries (D5) as list items, newest first as the API gives them. */
export function timelineItems(entries) {
  return entries.map((e) => h("li", { dataset: { kind: e.kind } },
    h("time", { datetime: e.at }, when(e.at)), " ", h("span", { class: "kind" }, t("kind." + e.kind, {}, e.kind)), " ", e.summary));
}
