// Strings of the handover screens (export, open a bundle, contacts, my
// identity, backup and restore, the progress bar), in the three languages
// side by side; spread into en.ts, ar.ts and fr.ts.

import type { Messages } from "./types";

export const handoverEn: Messages = {
  "progress.stop": "Stop",
  "progress.stopping": "Stopping…",
  "evidence.save.progress_title": "Saving a plaintext copy",
  "evidence.save.writing": "Checking and writing {file}…",
};

export const handoverAr: Messages = {
  "progress.stop": "إيقاف",
  "progress.stopping": "جارٍ الإيقاف…",
  "evidence.save.progress_title": "حفظ نسخة غير مشفّرة",
  "evidence.save.writing": "جارٍ التحقق من {file} وكتابته…",
};

export const handoverFr: Messages = {
  "progress.stop": "Arrêter",
  "progress.stopping": "Arrêt en cours…",
  "evidence.save.progress_title": "Enregistrement d’une copie non chiffrée",
  "evidence.save.writing": "Vérification et écriture de {file}…",
};
