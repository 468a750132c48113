// Screens before the vault is open: create (first run), the recovery key
// (shown once), unlock (with throttling), and recover with the recovery key.

import { api, toApiError, type ApiError } from "../api";
import { appRoot, enterMain, screens, settings, setScreen, showStart, type LockNotice } from "../app";
import { LANGS, lang, setLang, t, type Lang } from "../i18n";
import { h, clear } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { acceptable, MIN_PASSPHRASE_CHARS } from "../lib/strength";
import { errorLine, passphraseInput, setError, strengthMeter } from "./widgets";
import { toast } from "./dialog";
import type { AppStatus } from "../model";

const LANG_NAMES: Record<Lang, string> = { en: "English", ar: "العربية", fr: "Français" };

function langSwitcher(rerender: () => void): HTMLElement {
  const s = h("select", { class: "input select select-small", testid: "auth-language-select", "aria-label": t("settings.language") });
  for (const l of LANGS) s.appendChild(h("option", { value: l, lang: l }, LANG_NAMES[l]));
  s.value = lang();
  s.addEventListener("change", () => {
    setLang(s.value as Lang);
    rerender();
  });
  return h("div", { class: "auth-lang" }, icon("globe", 16), s);
}

function authFrame(rerender: () => void, ...content: Array<Node | null>): HTMLElement {
  return h(
    "div",
    { class: "auth" },
    h(
      "div",
      { class: "auth-top" },
      h("div", { class: "brand brand-dark" }, h("span", { class: "brand-mark" }, icon("shield", 22)), h("span", { class: "brand-name" }, t("app.name"))),
      langSwitcher(rerender),
    ),
    h("main", { class: "auth-card", id: "main" }, ...content),
    h("p", { class: "auth-foot" }, icon("lock", 14), t("auth.offline_note")),
  );
}

function busy(button: HTMLButtonElement, on: boolean, label: string): void {
  button.disabled = on;
  button.classList.toggle("is-busy", on);
  button.replaceChildren(on ? h("span", { class: "spinner", "aria-hidden": "true" }) : "", label);
}

// ---------------------------------------------------------------- create

function showCreate(status: AppStatus): void {
  setScreen("create");
  const render = () => {
    const p1 = passphraseInput("create-passphrase", "new-password");
    const p2 = passphraseInput("create-confirm", "new-password");
    const meter = strengthMeter("create-strength");
    const mismatch = errorLine("create-mismatch");
    const err = errorLine("create-error");
    const submit = h("button", { type: "submit", class: "button button-primary button-large", testid: "create-submit", disabled: true }, t("create.submit"));
    const check = () => {
      const s = meter.update(p1.input.value);
      const match = p1.input.value === p2.input.value;
      setError(mismatch, p2.input.value && !match ? t("create.mismatch") : null);
      submit.disabled = !(acceptable(s) && match);
      return acceptable(s) && match;
    };
    p1.input.addEventListener("input", check);
    p2.input.addEventListener("input", check);
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("div", { class: "field" }, h("label", { class: "field-label", for: "cp1" }, t("create.passphrase")), p1.wrap, h("div", { class: "field-hint" }, t("create.passphrase_hint", { n: MIN_PASSPHRASE_CHARS })), meter.el),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "cp2" }, t("create.confirm")), p2.wrap, mismatch),
      err,
      submit,
    );
    p1.input.id = "cp1";
    p2.input.id = "cp2";
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!check()) return;
      setError(err, null);
      busy(submit, true, t("create.busy"));
      try {
        const created = await api.createVault(p1.input.value);
        p1.input.value = "";
        p2.input.value = "";
        showRecoveryKey(created.recovery_key);
      } catch (x) {
        setError(err, errorMessage(toApiError(x)));
        busy(submit, false, t("create.submit"));
      }
    });
    clear(
      appRoot(),
      authFrame(
        render,
        h("h1", null, t("create.title")),
        h("p", { class: "lead" }, t("create.intro")),
        h("p", { class: "muted small" }, t("create.where", { path: status.vault.path })),
        form,
      ),
    );
    p1.input.focus();
  };
  render();
}

// ---------------------------------------------------------------- recovery key

function showRecoveryKey(key: string): void {
  setScreen("recovery");
  // Held only by this closure; dropped when the person continues.
  let held: string | null = key;
  const render = () => {
    if (held === null) return;
    const groups = held.split("-");
    const display = h("div", { class: "recovery-key", testid: "recovery-key", dir: "ltr", translate: "no" });
    groups.forEach((g, i) => {
      if (i > 0) display.appendChild(h("span", { class: "sr-sep" }, "-"));
      display.appendChild(h("span", { class: ["rk-group", i === 0 && "rk-prefix"] }, g));
    });
    const stored = h("input", { type: "checkbox", testid: "recovery-stored", id: "rk-stored" });
    const cont = h("button", { type: "button", class: "button button-primary button-large", testid: "recovery-continue", disabled: true }, t("recovery.continue"));
    stored.addEventListener("change", () => (cont.disabled = !stored.checked));
    cont.addEventListener("click", async () => {
      if (!stored.checked) return;
      held = null;
      display.replaceChildren();
      await enterMain();
    });
    clear(
      appRoot(),
      authFrame(
        render,
        h("h1", null, t("recovery.title")),
        h("div", { class: "callout callout-warning" }, icon("alert"), h("div", null, h("strong", null, t("recovery.once")), h("p", null, t("recovery.explain")))),
        display,
        h("ul", { class: "advice" }, h("li", null, t("recovery.advice1")), h("li", null, t("recovery.advice2")), h("li", null, t("recovery.advice3"))),
        h("label", { class: "check-row check-strong", for: "rk-stored" }, stored, h("span", null, t("recovery.stored"))),
        cont,
      ),
    );
    stored.focus();
  };
  render();
}

// ---------------------------------------------------------------- unlock

let countdownTimer: ReturnType<typeof setInterval> | null = null;

function stopCountdown(): void {
  if (countdownTimer !== null) clearInterval(countdownTimer);
  countdownTimer = null;
}

function showUnlock(status: AppStatus, notice?: LockNotice): void {
  setScreen("unlock");
  stopCountdown();
  let waitUntil = status.vault.wait_seconds > 0 ? Date.now() + status.vault.wait_seconds * 1000 : 0;
  let lastError: ApiError | null = null;
  const render = () => {
    stopCountdown();
    const p = passphraseInput("unlock-passphrase", "current-password");
    p.input.id = "up";
    const err = h("div", { class: "form-error", role: "alert", testid: "unlock-error", hidden: true });
    const wait = h("div", { class: "callout callout-warning", testid: "unlock-wait", role: "status", hidden: true });
    const submit = h("button", { type: "submit", class: "button button-primary button-large", testid: "unlock-submit" }, t("unlock.submit"));
    const showError = (e: ApiError | null) => {
      lastError = e;
      err.hidden = !e || e.code === "vault.throttled";
      err.replaceChildren(...(e && e.code !== "vault.throttled" ? [icon("alert"), h("span", null, errorMessage(e))] : []));
    };
    const tick = () => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left > 0) {
        wait.hidden = false;
        wait.replaceChildren(icon("clock"), h("span", null, t("unlock.wait", { n: left })));
        submit.disabled = true;
        submit.dataset.wait = String(left);
      } else {
        wait.hidden = true;
        submit.disabled = false;
        delete submit.dataset.wait;
        stopCountdown();
      }
    };
    const startCountdown = () => {
      stopCountdown();
      tick();
      if (waitUntil > Date.now()) countdownTimer = setInterval(tick, 250);
    };
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("div", { class: "field" }, h("label", { class: "field-label", for: "up" }, t("unlock.passphrase")), p.wrap),
      err,
      wait,
      submit,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (submit.disabled) return;
      if (!p.input.value) {
        showError({ code: "vault.passphrase_empty", message: "" });
        p.input.focus();
        return;
      }
      showError(null);
      busy(submit, true, t("unlock.busy"));
      try {
        await api.unlock(p.input.value);
        p.input.value = "";
        stopCountdown();
        await enterMain();
      } catch (x) {
        const e = toApiError(x);
        busy(submit, false, t("unlock.submit"));
        p.input.value = "";
        showError(e);
        if (e.wait_seconds) waitUntil = Date.now() + e.wait_seconds * 1000;
        else {
          // A wrong passphrase may start a delay before the next try.
          try {
            const s = await api.appStatus();
            if (s.vault.wait_seconds > 0) waitUntil = Date.now() + s.vault.wait_seconds * 1000;
          } catch {
            /* ignore */
          }
        }
        startCountdown();
        p.input.focus();
      }
    });

    const remembered = status.vault.remembered_on_this_device
      ? h("button", { type: "button", class: "button button-secondary button-large", testid: "unlock-remembered" }, icon("unlock"), t("unlock.remembered"))
      : null;
    remembered?.addEventListener("click", async () => {
      showError(null);
      busy(remembered, true, t("unlock.busy"));
      try {
        await api.unlockRemembered();
        stopCountdown();
        await enterMain();
      } catch (x) {
        busy(remembered, false, t("unlock.remembered"));
        showError(toApiError(x));
      }
    });

    const forgot = h("button", { type: "button", class: "link-button", testid: "unlock-forgot" }, t("unlock.forgot"));
    forgot.addEventListener("click", () => {
      stopCountdown();
      showRecover(status);
    });

    const noticeEl = notice
      ? h(
          "div",
          { class: "callout callout-info", testid: "lock-notice", role: "status" },
          icon("lock"),
          h(
            "div",
            null,
            h("p", null, notice.reason === "idle" ? t("lock.notice.idle", { n: settings.autoLockMinutes }) : notice.reason === "panic" ? t("lock.notice.panic") : notice.reason === "backend" ? t("lock.notice.backend") : notice.reason === "window" ? t("lock.notice.window") : t("lock.notice.manual")),
            notice.discardedUnsaved ? h("p", { class: "strong" }, t("lock.notice.discarded")) : null,
          ),
        )
      : null;

    const problem = status.vault.key_file_problem
      ? h("div", { class: "callout callout-danger", role: "alert" }, icon("alert"), h("p", null, t("unlock.key_file_problem")))
      : null;

    clear(
      appRoot(),
      authFrame(
        render,
        h("h1", null, t("unlock.title")),
        noticeEl,
        problem,
        form,
        remembered ? h("div", { class: "or" }, h("span", null, t("unlock.or"))) : null,
        remembered,
        h("div", { class: "auth-links" }, forgot),
      ),
    );
    if (lastError) showError(lastError);
    startCountdown();
    p.input.focus();
  };
  render();
}


// ---------------------------------------------------------------- recover

function showRecover(status: AppStatus): void {
  setScreen("recover");
  const render = () => {
    const key = h("input", { type: "text", class: "input input-mono", testid: "recover-key", id: "rk", autocomplete: "off", spellcheck: "false", autocapitalize: "characters", dir: "ltr", placeholder: "AMANA-XXXX-XXXX-…" });
    const p1 = passphraseInput("recover-new", "new-password");
    const p2 = passphraseInput("recover-confirm", "new-password");
    p1.input.id = "rp1";
    p2.input.id = "rp2";
    const meter = strengthMeter("recover-strength");
    const mismatch = errorLine("recover-mismatch");
    const err = h("div", { class: "form-error", role: "alert", testid: "recover-error", hidden: true });
    const submit = h("button", { type: "submit", class: "button button-primary button-large", testid: "recover-submit", disabled: true }, t("recover.submit"));
    const check = () => {
      const s = meter.update(p1.input.value);
      const match = p1.input.value === p2.input.value;
      setError(mismatch, p2.input.value && !match ? t("create.mismatch") : null);
      const ok = acceptable(s) && match && key.value.trim().length > 0;
      submit.disabled = !ok;
      return ok;
    };
    for (const i of [key, p1.input, p2.input]) i.addEventListener("input", check);
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("div", { class: "field" }, h("label", { class: "field-label", for: "rk" }, t("recover.key")), key, h("div", { class: "field-hint" }, t("recover.key_hint"))),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "rp1" }, t("recover.new")), p1.wrap, meter.el),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "rp2" }, t("create.confirm")), p2.wrap, mismatch),
      err,
      submit,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!check()) return;
      err.hidden = true;
      busy(submit, true, t("recover.busy"));
      try {
        await api.recover(key.value, p1.input.value);
        key.value = p1.input.value = p2.input.value = "";
        await enterMain();
        toast(t("recover.done"));
      } catch (x) {
        busy(submit, false, t("recover.submit"));
        err.hidden = false;
        err.replaceChildren(icon("alert"), h("span", null, errorMessage(toApiError(x))));
      }
    });
    const back = h("button", { type: "button", class: "link-button", testid: "recover-back" }, icon("arrowBack", 16), t("recover.back"));
    back.addEventListener("click", () => void showStart());
    clear(
      appRoot(),
      authFrame(render, h("h1", null, t("recover.title")), h("p", { class: "lead" }, t("recover.intro")), form, h("div", { class: "auth-links" }, back)),
    );
    key.focus();
  };
  void status;
  render();
}

// ---------------------------------------------------------------- fatal

function showFatal(e: ApiError): void {
  setScreen("none");
  const retry = h("button", { type: "button", class: "button button-primary" }, t("action.retry"));
  retry.addEventListener("click", () => void showStart());
  clear(appRoot(), authFrame(() => showFatal(e), h("h1", null, t("fatal.title")), h("div", { class: "callout callout-danger", role: "alert" }, icon("alert"), h("p", null, errorMessage(e))), retry));
}

screens.create = showCreate;
screens.unlock = showUnlock;
screens.fatal = showFatal;
