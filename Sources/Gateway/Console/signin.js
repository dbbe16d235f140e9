// Signing in (G6): with the staff email and password; choosing the password with an
// invite link (#invite=<token>); changing it. The session lives in an HttpOnly cookie the
// gateway sets: this code never sees it, only the CSRF token it must send with writes.
import { api, ApiError } from "./api.js";
import { h, field, form, notify } from "./ui.js";
import { t } from "./i18n.js";

export function signIn(started) {
  return h("div", { class: "narrow" },
    h("h1", {}, t("signIn")),
    form([
      field(t("email"), "email", { type: "email", autocomplete: "username", required: true }),
      field(t("password"), "password", { type: "password", autocomplete: "current-password", required: true }),
    ], t("signIn"), async (v) => started(await api("POST", "/v1/session", { email: v.email, password: v.password })), { id: "sign-in" }));
}

export function acceptInvite(token, started) {
  return h("div", { class: "narrow" },
    h("h1", {}, t("welcome")),
    h("p", {}, t("choosePassword")),
    form([
      field(t("newPassword"), "password", { type: "password", autocomplete: "new-password", minlength: 10, required: true }),
      field(t("repeatPassword"), "repeat", { type: "password", autocomplete: "new-password", required: true }),
    ], t("savePassword"), async (v) => {
      if (v.password !== v.repeat) throw new ApiError(422, { detail: t("passwordsDiffer"), errors: [{ field: "repeat", detail: t("passwordsDiffer") }] });
      const session = await api("POST", "/v1/session/invite", { token, password: v.password });
      history.replaceState(null, "", "/#/");
      started(session);
    }, { id: "invite" }));
}

export function changePassword(session, started) {
  return h("div", { class: "narrow" },
    h("h1", {}, t("changePassword")),
    h("p", {}, t("changePasswordNote")),
    form([
      field(t("currentPassword"), "currentPassword", { type: "password", autocomplete: "current-password", required: true }),
      field(t("newPassword"), "newPassword", { type: "password", autocomplete: "new-password", minlength: 10, required: true }),
    ], t("savePassword"), async (v) => {
      const renewed = await api("PUT", "/v1/session/password", { currentPassword: v.currentPassword, newPassword: v.newPassword });
      notify(t("passwordChanged"));
      started(renewed);
    }));
}
