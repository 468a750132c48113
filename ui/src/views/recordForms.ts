// The add/edit form of every kind of record, in a dialog. Saving an edit
// sends only what changed (a JSON merge patch); closing a changed form asks
// first, so nothing is lost silently.

import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { t } from "../i18n";
import { h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { mergePatch, type Json } from "../lib/patch";
import { session } from "../lib/session";
import type { CaseOverview, Kind, StoredRecord } from "../model";
import { confirmDialog, openDialog } from "./dialog";
import { buildForm, type Spec } from "./forms";

type Obj = { [k: string]: unknown };

export function specsFor(kind: Kind, overview?: CaseOverview): Spec[] {
  switch (kind) {
    case "case":
      return [
        {
          type: "section",
          legend: t("case.form.subject"),
          fields: [
            { type: "names", path: "subject.names", label: t("case.form.names") },
            { type: "enum", path: "subject.kind", label: t("case.form.subject_kind"), group: "subject_kind", testid: "case-form-subject-kind" },
            { type: "fuzzydate", path: "subject.born", label: t("case.form.born"), testid: "case-form-born" },
            { type: "countries", path: "subject.nationalities", label: t("case.form.nationalities"), testid: "case-form-nationality" },
            { type: "country", path: "subject.current_location.country", label: t("case.form.location_country"), testid: "case-form-location-country" },
            { type: "text", path: "subject.current_location.locality", label: t("case.form.location_locality") },
            { type: "checks", path: "subject.profiles", label: t("case.form.profiles"), group: "profile", testid: "case-form-profile" },
          ],
        },
        {
          type: "section",
          legend: t("case.form.case"),
          fields: [
            { type: "text", path: "title", label: t("case.form.title"), testid: "case-form-title", wide: true, hint: t("case.form.title_hint") },
            { type: "enum", path: "risk", label: t("case.form.risk"), group: "risk", testid: "case-form-risk" },
            { type: "enum", path: "status", label: t("case.form.status"), group: "status", testid: "case-form-status" },
            { type: "tags", path: "tags", label: t("case.form.tags"), hint: t("case.form.tags_hint"), testid: "case-form-tags" },
            { type: "textarea", path: "summary", label: t("case.form.summary"), rows: 4, testid: "case-form-summary" },
            { type: "textarea", path: "private_notes", label: t("case.form.private_notes"), rows: 3, hint: t("case.form.private_notes_hint"), testid: "case-form-private-notes" },
          ],
        },
      ];
    case "situation":
      return [
        { type: "enum", path: "situation", label: t("situation.form.situation"), group: "situation", testid: "situation-kind" },
        { type: "fuzzydate", path: "date", label: t("form.date"), required: true, testid: "situation-date" },
        { type: "country", path: "place.country", label: t("form.place_country"), testid: "situation-country" },
        { type: "text", path: "place.locality", label: t("form.place_locality") },
        { type: "textarea", path: "notes", label: t("form.notes"), rows: 3, testid: "situation-notes" },
      ];
    case "incident":
      return [
        { type: "enum", path: "tactic", label: t("incident.form.tactic"), group: "tactic", testid: "incident-tactic" },
        { type: "fuzzydate", path: "date", label: t("form.date"), required: true, testid: "incident-date" },
        { type: "country", path: "requesting_state", label: t("field.requesting_state"), required: true, testid: "incident-requesting" },
        { type: "country", path: "requested_state", label: t("field.requested_state"), testid: "incident-requested" },
        { type: "textarea", path: "description", label: t("incident.form.description"), rows: 4, testid: "incident-description" },
        { type: "lines", path: "sources", label: t("incident.form.sources"), hint: t("incident.form.sources_hint"), testid: "incident-sources" },
      ];
    case "instrument":
      return [
        { type: "enum", path: "kind", label: t("instrument.form.kind"), group: "instrument_kind", testid: "instrument-kind" },
        { type: "country", path: "issuing_state", label: t("instrument.form.issuing_state"), required: true, testid: "instrument-issuing" },
        { type: "enum", path: "status", label: t("instrument.form.status"), group: "instrument_status", testid: "instrument-status" },
        { type: "text", path: "reference", label: t("form.reference"), mono: true, testid: "instrument-reference" },
        { type: "fuzzydate", path: "issued_on", label: t("instrument.form.issued_on"), testid: "instrument-issued" },
        { type: "fuzzydate", path: "learnt_on", label: t("instrument.form.learnt_on"), testid: "instrument-learnt" },
        { type: "fuzzydate", path: "withdrawn_on", label: t("instrument.form.withdrawn_on"), testid: "instrument-withdrawn" },
        { type: "textarea", path: "notes", label: t("form.notes"), rows: 3 },
      ];
    case "proceeding":
      return [
        { type: "enum", path: "kind", label: t("proceeding.form.kind"), group: "proceeding_kind", testid: "proceeding-kind" },
        { type: "text", path: "forum", label: t("proceeding.form.forum"), hint: t("proceeding.form.forum_hint"), testid: "proceeding-forum" },
        { type: "text", path: "reference", label: t("form.reference"), mono: true, testid: "proceeding-reference" },
        { type: "date", path: "filed_on", label: t("proceeding.form.filed_on"), testid: "proceeding-filed" },
        { type: "date", path: "deadline", label: t("proceeding.form.deadline"), testid: "proceeding-deadline" },
        { type: "date", path: "decided_on", label: t("proceeding.form.decided_on"), testid: "proceeding-decided" },
        { type: "enum", path: "outcome", label: t("proceeding.form.outcome"), group: "outcome", optional: true, testid: "proceeding-outcome" },
        {
          type: "section",
          legend: t("proceeding.form.interim"),
          tone: "muted",
          note: t("proceeding.form.interim_note"),
          fields: [
            { type: "date", path: "interim_measures.requested_on", label: t("proceeding.form.interim_requested"), testid: "proceeding-im-requested" },
            { type: "date", path: "interim_measures.granted_on", label: t("proceeding.form.interim_granted"), testid: "proceeding-im-granted" },
            { type: "tristate", path: "interim_measures.respected", label: t("proceeding.form.interim_respected"), testid: "proceeding-im-respected" },
          ],
        },
        { type: "textarea", path: "notes", label: t("form.notes"), rows: 3 },
      ];
    case "testimony": {
      const sources: Array<[string, string]> = (overview?.sources ?? []).map((s) => [s.id, s.data.pseudonym]);
      return [
        { type: "language", path: "language", label: t("testimony.form.language"), testid: "testimony-language" },
        { type: "textarea", path: "text", label: t("testimony.form.text"), required: true, rows: 12, testid: "testimony-text", hint: t("testimony.form.text_hint") },
        { type: "fuzzydate", path: "date", label: t("testimony.form.date"), testid: "testimony-date" },
        { type: "text", path: "interviewer", label: t("testimony.form.interviewer"), testid: "testimony-interviewer" },
        { type: "country", path: "place.country", label: t("form.place_country"), testid: "testimony-country" },
        { type: "text", path: "place.locality", label: t("form.place_locality") },
        { type: "select", path: "source_id", label: t("testimony.form.source"), options: sources, empty: t("testimony.form.no_source"), testid: "testimony-source" },
      ];
    }
    case "source":
      return [
        { type: "text", path: "pseudonym", label: t("source.form.pseudonym"), required: true, hint: t("source.form.pseudonym_hint"), testid: "source-pseudonym" },
        { type: "enum", path: "relation", label: t("source.form.relation"), group: "relation", testid: "source-relation" },
        {
          type: "section",
          legend: t("source.form.consent"),
          fields: [
            { type: "checkbox", path: "consent.share_with_lawyers", label: t("source.consent.lawyers"), testid: "source-consent-lawyers" },
            { type: "checkbox", path: "consent.share_with_un", label: t("source.consent.un"), testid: "source-consent-un" },
            { type: "checkbox", path: "consent.publish", label: t("source.consent.publish"), testid: "source-consent-publish" },
          ],
        },
        {
          type: "section",
          legend: t("source.form.identity"),
          tone: "sensitive",
          note: t("source.form.identity_note"),
          fields: [
            { type: "text", path: "identity.full_name", label: t("source.form.full_name"), testid: "source-full-name" },
            { type: "text", path: "identity.contact", label: t("source.form.contact"), testid: "source-contact" },
            { type: "textarea", path: "identity.notes", label: t("source.form.identity_notes"), rows: 3, testid: "source-identity-notes" },
          ],
        },
      ];
    case "evidence":
      return evidenceSpecs(overview);
  }
}

/** The fields of an evidence record a person may edit (the file itself never changes). */
export function evidenceSpecs(_overview?: CaseOverview, withAttachTo?: Array<[string, string]>): Spec[] {
  const specs: Spec[] = [];
  if (withAttachTo) specs.push({ type: "select", path: "attached_to", label: t("evidence.form.attached_to"), options: withAttachTo.slice(1), empty: withAttachTo[0][1], testid: "evidence-attached-to" });
  specs.push(
    { type: "textarea", path: "description", label: t("evidence.form.description"), rows: 3, testid: "evidence-description" },
    {
      type: "section",
      legend: t("evidence.form.custody"),
      note: t("evidence.form.custody_note"),
      fields: [
        { type: "text", path: "acquisition.by", label: t("evidence.form.by"), testid: "evidence-by" },
        { type: "fuzzydate", path: "acquisition.on", label: t("evidence.form.on"), testid: "evidence-on" },
        { type: "text", path: "acquisition.how", label: t("evidence.form.how"), hint: t("evidence.form.how_hint"), testid: "evidence-how" },
        { type: "text", path: "acquisition.from", label: t("evidence.form.from"), hint: t("evidence.form.from_hint"), testid: "evidence-from" },
      ],
    },
  );
  return specs;
}

/** Rules the types alone cannot express (the same as the core's `validate`). */
export function crossCheck(kind: Kind, data: Obj): Array<{ path: string; error: string }> {
  const out: Array<{ path: string; error: string }> = [];
  if (kind === "proceeding") {
    const filed = data.filed_on as string | undefined;
    const decided = data.decided_on as string | undefined;
    if (filed && decided && decided < filed) out.push({ path: "decided_on", error: t("proceeding.form.error.decided_before_filed") });
    if (data.outcome && !decided) out.push({ path: "decided_on", error: t("proceeding.form.error.outcome_needs_decision") });
    const im = data.interim_measures as Obj | undefined;
    if (im?.requested_on && im?.granted_on && (im.granted_on as string) < (im.requested_on as string)) {
      out.push({ path: "interim_measures.granted_on", error: t("proceeding.form.error.granted_before_requested") });
    }
  }
  return out;
}

const DEFAULTS: Record<Kind, Obj> = {
  case: { status: "open", risk: "medium", subject: { kind: "person", names: [] } },
  situation: { situation: "arrested" },
  incident: { tactic: "extradition_proceedings" },
  instrument: { kind: "interpol_red_notice", status: "unknown" },
  proceeding: { kind: "ccf_deletion" },
  testimony: { language: "ar" },
  source: { relation: "witness", consent: { share_with_lawyers: false, share_with_un: false, publish: false } },
  evidence: {},
};

export function submitTestid(kind: Kind): string {
  return kind === "case" ? "case-form-submit" : kind === "testimony" ? "testimony-submit" : `${kind}-form-submit`;
}

export interface RecordFormOptions {
  kind: Kind;
  caseId: string | null;
  record?: StoredRecord;
  overview?: CaseOverview;
  onSaved: (r: StoredRecord) => void;
}

let formSeq = 0;

export function openRecordForm(o: RecordFormOptions): void {
  const editing = !!o.record;
  const initial = (o.record ? o.record.data : DEFAULTS[o.kind]) as Obj;
  const form = buildForm(specsFor(o.kind, o.overview), initial);
  const formId = `form-${++formSeq}`;
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "form-error" });
  const submit = h("button", { type: "submit", class: "button button-primary", testid: submitTestid(o.kind), form: formId }, editing ? t("action.save_changes") : t(`add.${o.kind}`));
  const cancel = h("button", { type: "button", class: "button", testid: "form-cancel" }, t("action.cancel"));
  const el = h("form", { id: formId, class: "record-form", novalidate: true, testid: `${o.kind}-form` }, form.el, err);
  const markDirty = () => {
    if (form.dirty()) session.dirty.add(formId);
    else session.dirty.delete(formId);
  };
  el.addEventListener("input", markDirty);
  el.addEventListener("change", markDirty);

  const d = openDialog({
    title: editing ? t(`edit.${o.kind}`) : t(`add.${o.kind}`),
    wide: true,
    testid: "record-dialog",
    body: el,
    footer: [cancel, submit],
    beforeClose: async () => {
      if (!form.dirty()) return true;
      return confirmDialog({ title: t("form.discard.title"), message: t("form.discard.message"), confirm: t("form.discard.confirm"), danger: true });
    },
    onClosed: () => session.dirty.delete(formId),
  });
  cancel.addEventListener("click", async () => {
    if (form.dirty() && !(await confirmDialog({ title: t("form.discard.title"), message: t("form.discard.message"), confirm: t("form.discard.confirm"), danger: true }))) return;
    d.close();
  });
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = form.collect((data) => crossCheck(o.kind, data));
    if (!r.ok) {
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, t("form.error.fix")));
      return;
    }
    err.hidden = true;
    submit.disabled = true;
    try {
      let saved: StoredRecord;
      if (o.record) {
        const patch = mergePatch(o.record.data as { [k: string]: Json }, r.data as { [k: string]: Json });
        saved = Object.keys(patch).length ? await api.recordEdit(o.record.id, patch) : o.record;
      } else {
        saved = await api.recordAdd(o.kind, o.kind === "case" ? null : o.caseId, r.data);
      }
      session.dirty.delete(formId);
      d.close();
      o.onSaved(saved);
    } catch (x) {
      const e2 = toApiError(x);
      if (handleLockedError(e2)) return;
      submit.disabled = false;
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e2)));
    }
  });
  form.controls[0]?.focus();
}
