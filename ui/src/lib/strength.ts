// A passphrase strength estimator of our own: no dictionary download, no
// network. It estimates guessing entropy from length and character variety,
// then takes off for what attackers try first: common passwords, keyboard
// walks, sequences, repeats and years.

/** The least number of characters the vault accepts (MIN_PASSPHRASE_CHARS in Rust). */
export const MIN_PASSPHRASE_CHARS = 10;

/** 0 very weak, 1 weak, 2 fair, 3 strong, 4 very strong. */
export type Score = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: Score;
  /** Estimated bits of entropy after penalties. */
  bits: number;
  /** Fewer than MIN_PASSPHRASE_CHARS characters. */
  tooShort: boolean;
  /** Built around a common password. */
  common: boolean;
  /** i18n keys of advice to show. */
  hints: string[];
}

// The passwords tried first, in the users' languages too (lower case, no digits).
const COMMON = [
  "password", "passw0rd", "motdepasse", "azerty", "qwerty", "qwertz", "azertyuiop", "qwertyuiop",
  "letmein", "welcome", "bienvenue", "admin", "administrator", "iloveyou", "jetaime", "monkey",
  "dragon", "master", "sunshine", "princess", "football", "baseball", "shadow", "superman",
  "trustno", "secret", "soleil", "marseille", "paris", "tunis", "cairo", "beirut", "amman",
  "istanbul", "london", "amana", "vault", "allah", "mohamed", "mohammed", "muhammad", "ahmed",
  "bismillah", "habibi", "palestine", "freedom", "liberte", "changeme", "default", "login",
  "abc", "asdf", "asdfgh", "zxcvbn", "zxcvbnm", "hello", "bonjour", "salam", "marhaba",
  "computer", "internet", "samsung", "google", "facebook", "whatsapp", "starwars", "pokemon",
  "kalimasir", "كلمةالسر", "كلمةسر", "مرحبا", "السلام",
];

const SEQUENCES = [
  "abcdefghijklmnopqrstuvwxyz",
  "0123456789",
  "qwertyuiop", "asdfghjkl", "zxcvbnm",
  "azertyuiop", "qsdfghjklm", "wxcvbn",
  "1234567890",
];

function leet(s: string): string {
  return s
    .replace(/[@4]/g, "a")
    .replace(/3/g, "e")
    .replace(/[1!|]/g, "i")
    .replace(/0/g, "o")
    .replace(/[$5]/g, "s")
    .replace(/7/g, "t");
}

/** Length of the longest run of one character. */
function longestRepeat(chars: string[]): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < chars.length; i++) {
    run = i > 0 && chars[i] === chars[i - 1] ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

/** Characters that are part of a forward or backward sequence of 3 or more. */
function sequenceChars(lower: string): number {
  let count = 0;
  const n = lower.length;
  const inSeq = new Array<boolean>(n).fill(false);
  for (const seq of SEQUENCES) {
    const rev = [...seq].reverse().join("");
    // Digits count from 3 in a row ("123"); letters and keyboard rows from 4,
    // so ordinary words ("tree" holds "tre") are not penalised.
    const min = /^\d/.test(seq) ? 3 : 4;
    for (const s of [seq, rev]) {
      for (let len = min; len <= s.length; len++) {
        for (let i = 0; i + len <= s.length; i++) {
          const part = s.slice(i, i + len);
          let from = 0;
          let at: number;
          while ((at = lower.indexOf(part, from)) >= 0) {
            for (let k = at; k < at + len; k++) inSeq[k] = true;
            from = at + 1;
          }
        }
      }
    }
  }
  for (const b of inSeq) if (b) count++;
  return count;
}

/** Estimates how hard a passphrase is to guess. */
export function estimateStrength(passphrase: string): Strength {
  const chars = [...passphrase];
  const length = chars.length;
  const hints: string[] = [];
  const tooShort = length < MIN_PASSPHRASE_CHARS;
  if (length === 0) {
    return { score: 0, bits: 0, tooShort: true, common: false, hints: ["strength.hint.length"] };
  }

  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[ ]/.test(passphrase)) pool += 1;
  if (/[^A-Za-z0-9 ]/.test(passphrase.replace(/[^\x00-\x7f]/g, ""))) pool += 33;
  if (/[^\x00-\x7f]/.test(passphrase)) pool += 40; // Arabic or accented letters
  pool = Math.max(pool, 10);

  const unique = new Set(chars).size;
  // Variety actually used: a long string of two letters is not strong.
  const effectiveLength = Math.min(length, unique * 2.5);
  let bits = effectiveLength * Math.log2(pool);

  const lower = passphrase.toLowerCase();
  const letters = leet(lower).replace(/[^\p{L}]/gu, "");
  let common = false;
  for (const word of COMMON) {
    if (letters === word || (word.length >= 5 && letters.includes(word) && letters.length - word.length < 4)) {
      common = true;
      break;
    }
  }
  if (common) {
    bits = Math.min(bits, 12);
    hints.push("strength.hint.common");
  }

  const repeat = longestRepeat(chars);
  if (repeat >= 3) {
    bits -= (repeat - 2) * Math.log2(pool);
    hints.push("strength.hint.repeat");
  }
  const seq = sequenceChars(lower);
  if (seq >= 3) {
    bits -= seq * Math.log2(pool) * 0.8;
    hints.push("strength.hint.sequence");
  }
  const years = lower.match(/(19|20)\d\d/g);
  if (years) bits -= years.length * 8;

  // A single capitalised word followed by digits and a symbol is the most common pattern of all.
  if (/^[A-Z]?[a-z]+[0-9]{1,4}[^A-Za-z0-9]?$/.test(passphrase)) {
    bits = Math.min(bits, 30);
    hints.push("strength.hint.pattern");
  }

  bits = Math.max(0, Math.round(bits));
  let score: Score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (tooShort) {
    score = Math.min(score, 1) as Score;
    hints.unshift("strength.hint.length");
  }
  if (common) score = 0;
  if (score >= 3) {
    for (const h of ["strength.hint.repeat", "strength.hint.sequence"]) {
      const i = hints.indexOf(h);
      if (i >= 0) hints.splice(i, 1);
    }
  }
  if (score < 3 && !tooShort && !common && !hints.length) hints.push("strength.hint.words");
  return { score, bits, tooShort, common, hints: [...new Set(hints)] };
}

/** Whether a new passphrase may be used: long enough and not trivially guessable. */
export function acceptable(s: Strength): boolean {
  return !s.tooShort && s.score >= 1;
}
