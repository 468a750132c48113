// The core's timeline says what happened in English ("CCF deletion filed").
// The UI says it in the person's language from the record itself.

import { t, tEnum } from "../i18n";
import { isolatedText } from "../lib/dom";
import type { StoredRecord, TimelineEntry } from "../model";

export function timelineText(e: TimelineEntry, r: StoredRecord | undefined): string {
  const d = (r?.data ?? {}) as Record<string, string>;
  const w = e.what;
  switch (e.kind) {
    case "case":
      return t("timeline.born");
    case "situation":
      return t("timeline.situation", { situation: tEnum("situation", d.situation) || w });
    case "incident":
      return t("timeline.incident", { tactic: tEnum("tactic", d.tactic) || w });
    case "instrument": {
      const kind = tEnum("instrument_kind", d.kind);
      if (!kind) break;
      if (w.endsWith(" issued")) return t("timeline.instrument.issued", { kind });
      if (w.endsWith(" learnt of")) return t("timeline.instrument.learnt", { kind });
      if (w.endsWith(" withdrawn")) return t("timeline.instrument.withdrawn", { kind });
      break;
    }
    case "proceeding": {
      const kind = tEnum("proceeding_kind", d.kind);
      if (!kind) break;
      if (w.endsWith(" interim measures requested")) return t("timeline.proceeding.interim_requested", { kind });
      if (w.endsWith(" interim measures granted")) return t("timeline.proceeding.interim_granted", { kind });
      if (w.endsWith(" filed")) return t("timeline.proceeding.filed", { kind });
      if (w.endsWith(" deadline")) return t("timeline.proceeding.deadline", { kind });
      if (w.endsWith(" decided")) return t("timeline.proceeding.decided", { kind });
      break;
    }
    case "testimony": {
      const l = d.language;
      return t("timeline.testimony", { language: ["ar", "fr", "en"].includes(l) ? tEnum("language", l) : l || "" });
    }
    case "evidence":
      return t("timeline.evidence", { file: isolatedText(d.file_name) });
    case "source":
      break;
  }
  return w;
}
