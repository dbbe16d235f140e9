// What happens elsewhere arrives without reload (issue 27 item 4): one Server-Sent Events
// stream per tab from the gateway (/v1/stream), which the browser resumes by itself with
// Last-Event-ID after a drop. A screen listens while it is on the page.
import { notify } from "./ui.js";
import { t } from "./i18n.js";

let source = null;
const listeners = new Set();

export const live = {
  start() {
    this.stop();
    source = new EventSource("/v1/stream");
    for (const kind of ["message", "task", "callback", "dialer", "deal"]) {
      source.addEventListener(kind, (event) => {
        let data = {};
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        if (kind === "message" && data.direction === "inbound") notify(t("live.message", { text: (data.text || "").slice(0, 80) }));
        if (kind === "task") notify(t("live.task", { title: data.title || t("task." + data.kind) }));
        if (kind === "callback") notify(t("live.callback", { phone: data.phone || "" }), "warn");
        for (const listener of [...listeners]) {
          if (!listener.owner.isConnected) listeners.delete(listener);
          else if (listener.kind === kind) listener.handler(data);
        }
      });
    }
  },
  stop() {
    source?.close();
    source = null;
    listeners.clear();
  },
  /** Calls `handler(data)` for each event of `kind` while `owner` is on the page. */
  on(kind, handler, owner) {
    listeners.add({ kind, handler, owner });
  },
};
