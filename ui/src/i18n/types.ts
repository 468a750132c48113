/** One message: a string, or plural forms chosen with Intl.PluralRules (`other` is required). */
export type Msg = string | { zero?: string; one?: string; two?: string; few?: string; many?: string; other: string };
export type Messages = Record<string, Msg>;
