// Settings: language, auto-lock, "remember on this device", passphrase.
// Nothing here is written to disk by the UI: settings live in memory.

import { api, toApiError } from "../api";
import { handleLockedError, setAutoLockMinutes, settings } from "../app";
import { LANGS, lang, setLang, t, type Lang } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { acceptable } from "../lib/strength";
import { AUTOLOCK_MAX, AUTOLOCK_MIN, clampMinutes } from "../lib/idle";
import { errorLine, passphraseInput, setError, strengthMeter } from "./widgets";
import { confirmDialog, toast } from "./dialog";
import { showViewError, viewToken } from "./shell";

const LANG_NAMES: Record<Lang, string> = { en: "English", ar: "العربية", fr: "Français" };


function section(title: string, ...children: Array<Node | null>): HTMLElement {
  return h("section", { class: "card settings-section" }, h("h2", null, title), ...children);
}

export function renderSettings(main: HTMLElement): void {
  const alive = viewToken();
  // Language
  const langSel = h("select", { class: "input select", testid: "language-select", id: "set-lang" });
  for (const l of LANGS) langSel.appendChild(h("option", { value: l, lang: l }, LANG_NAMES[l]));
  langSel.value = lang();
  langSel.addEventListener("change", () => setLang(langSel.value as Lang));

  // Auto-lock
  const minutes = h("input", { type: "number", class: "input input-short", testid: "autolock-minutes", id: "set-autolock", min: String(AUTOLOCK_MIN), max: String(AUTOLOCK_MAX), step: "1", value: String(settings.autoLockMinutes), dir: "ltr" });
  const minutesErr = errorLine("autolock-error");
  const applyMinutes = () => {
    const m = clampMinutes(Number(minutes.value));
    if (m === null) {
      setError(minutesErr, t("settings.autolock.error", { min: AUTOLOCK_MIN, max: AUTOLOCK_MAX }));
      return;
    }
    setError(minutesErr, null);
    if (m !== settings.autoLockMinutes) {
      setAutoLockMinutes(m);
      toast(t("settings.autolock.saved", { n: m }));
    }
  };
  minutes.addEventListener("change", applyMinutes);
  minutes.addEventListener("keydown", (e) => e.key === "Enter" && applyMinutes());

  // Remember on this device
  const remember = h("input", { type: "checkbox", testid: "remember-device", id: "set-remember", disabled: true });
  const rememberErr = errorLine("remember-error");
  // Remembering asks for the passphrase again: an unlocked, unattended
  // session must not be enough to leave the key on this computer.
  const rememberPass = passphraseInput("remember-passphrase", "current-password");
  rememberPass.input.id = "set-remember-pass";
  const vaultPath = h("code", { class: "path", dir: "ltr" }, "");
  api
    .appStatus()
    .then((s) => {
      if (!alive()) return;
      remember.checked = s.vault.remembered_on_this_device;
      remember.disabled = false;
      vaultPath.textContent = s.vault.path;
    })
    .catch((e) => alive() && showViewError(e));
  remember.addEventListener("change", async () => {
    const on = remember.checked;
    if (on && !rememberPass.input.value) {
      remember.checked = false;
      setError(rememberErr, t("settings.remember.passphrase_needed"));
      rememberPass.input.focus();
      return;
    }
    if (on) {
      const ok = await confirmDialog({ title: t("settings.remember.confirm_title"), message: t("settings.remember.confirm_text"), confirm: t("settings.remember.confirm"), warning: true });
      if (!ok) {
        remember.checked = false;
        return;
      }
    }
    remember.disabled = true;
    setError(rememberErr, null);
    try {
      if (on) await api.remember(rememberPass.input.value);
      else await api.forget();
      rememberPass.input.value = "";
      toast(on ? t("settings.remember.on") : t("settings.remember.off"));
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      remember.checked = !on;
      setError(rememberErr, errorMessage(e));
    } finally {
      remember.disabled = false;
    }
  });

  // Change passphrase
  const cur = passphraseInput("change-current", "current-password");
  const p1 = passphraseInput("change-new", "new-password");
  const p2 = passphraseInput("change-confirm", "new-password");
  cur.input.id = "chg-cur";
  p1.input.id = "chg-new";
  p2.input.id = "chg-confirm";
  const meter = strengthMeter("change-strength");
  const mismatch = errorLine("change-mismatch");
  const changeErr = h("div", { class: "form-error", role: "alert", hidden: true, testid: "change-error" });
  const submit = h("button", { type: "submit", class: "button button-primary", testid: "change-submit", disabled: true }, t("settings.passphrase.submit"));
  const check = () => {
    const s = meter.update(p1.input.value);
    const match = p1.input.value === p2.input.value;
    setError(mismatch, p2.input.value && !match ? t("create.mismatch") : null);
    const ok = acceptable(s) && match && cur.input.value.length > 0;
    submit.disabled = !ok;
    return ok;
  };
  for (const i of [cur.input, p1.input, p2.input]) i.addEventListener("input", check);
  const form = h(
    "form",
    { class: "stack narrow", novalidate: true },
    h("div", { class: "field" }, h("label", { class: "field-label", for: "chg-cur" }, t("settings.passphrase.current")), cur.wrap),
    h("div", { class: "field" }, h("label", { class: "field-label", for: "chg-new" }, t("settings.passphrase.new")), p1.wrap, meter.el),
    h("div", { class: "field" }, h("label", { class: "field-label", for: "chg-confirm" }, t("create.confirm")), p2.wrap, mismatch),
    changeErr,
    h("div", null, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!check()) return;
    submit.disabled = true;
    changeErr.hidden = true;
    submit.textContent = t("settings.passphrase.busy");
    try {
      await api.changePassphrase(cur.input.value, p1.input.value);
      cur.input.value = p1.input.value = p2.input.value = "";
      meter.update("");
      toast(t("settings.passphrase.done"));
    } catch (x) {
      const e2 = toApiError(x);
      if (handleLockedError(e2)) return;
      changeErr.hidden = false;
      changeErr.replaceChildren(icon("alert"), h("span", null, errorMessage(e2)));
    } finally {
      submit.textContent = t("settings.passphrase.submit");
      check();
    }
  });

  clear(
    main,
    h("header", { class: "view-header" }, h("div", null, h("h1", null, t("settings.title")))),
    h(
      "div",
      { class: "settings" },
      section(
        t("settings.display"),
        h("div", { class: "field" }, h("label", { class: "field-label", for: "set-lang" }, t("settings.language")), langSel, h("div", { class: "field-hint" }, t("settings.language_hint"))),
      ),
      section(
        t("settings.security"),
        h("div", { class: "field" }, h("label", { class: "field-label", for: "set-autolock" }, t("settings.autolock")), h("div", { class: "inline" }, minutes, h("span", null, t("settings.autolock.unit"))), h("div", { class: "field-hint" }, t("settings.autolock_hint")), minutesErr),
        h("div", { class: "field" }, h("label", { class: "check-row", for: "set-remember" }, remember, h("span", null, t("settings.remember"))), h("div", { class: "field-hint" }, t("settings.remember_hint")), h("label", { class: "field-label", for: "set-remember-pass" }, t("settings.remember.passphrase")), rememberPass.wrap, rememberErr),
        h("div", { class: "shortcuts" }, h("h3", { class: "h-small" }, t("settings.panic")), h("p", null, t("settings.panic_text"))),
      ),
      section(t("settings.passphrase"), h("p", { class: "muted" }, t("settings.passphrase_intro")), form),
      section(t("settings.about"), h("dl", { class: "meta" }, h("dt", null, t("settings.vault_folder")), h("dd", null, vaultPath)), h("p", { class: "muted small" }, t("settings.about_text"))),
    ),
  );
}
