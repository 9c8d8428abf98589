import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { ja } from './ja';
import { zh } from './zh';

export const LANGUAGES = { en: 'English', ja: '日本語', zh: '简体中文' } as const;
export type Lang = keyof typeof LANGUAGES;
export const CATALOGS: Record<Lang, Messages> = { en, ja, zh };
/** BCP 47 tags for Intl and <html lang>: Simplified Chinese is zh-CN. */
export const LOCALE_TAG: Record<Lang, string> = { en: 'en', ja: 'ja', zh: 'zh-CN' };
const STORAGE_KEY = 'replicadesk.lang';

/** Texts the engine sends already translated (pre-flight explanations and fixes). */
export type Localized = Record<Lang, string>;

/** The OS/browser language when we have it, else English. A saved choice wins. */
export function initialLang(saved: string | null, preferred: readonly string[]): Lang {
  if (saved && saved in LANGUAGES) return saved as Lang;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && base in LANGUAGES) return base as Lang;
  }
  return 'en';
}

export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  return CATALOGS[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** What the person chose: a language, or "auto" (follow the system's language). */
export type LangChoice = Lang | 'auto';

export function isLangChoice(v: unknown): v is LangChoice {
  return v === 'auto' || (typeof v === 'string' && v in LANGUAGES);
}

export interface I18n {
  lang: Lang;
  choice: LangChoice;
  /** The person chose in this window: remembered here and announced to onChosen listeners (the service). */
  setLang(lang: LangChoice): void;
  /** A choice made elsewhere (the service's setting, another window): applied, not announced again. */
  adoptLang(lang: LangChoice): void;
  onChosen(listener: (lang: LangChoice) => void): () => void;
  t(key: MessageKey, vars?: Vars): string;
  /** Date and time, medium length, in the user's language. */
  formatDate(iso: string): string;
  formatTime(iso: string | number): string;
  formatNumber(n: number, opts?: Intl.NumberFormatOptions): string;
  /** 1 234 567 bytes → "1.2 MB" (decimal units, as disk tools show them). */
  formatBytes(n: number): string;
  /** 7260 → "2 hr 1 min", read at a glance. */
  formatDuration(seconds: number): string;
  localized(text: Localized): string;
}

function makeI18n(choice: LangChoice, lang: Lang, ctl: Pick<I18n, 'setLang' | 'adoptLang' | 'onChosen'>): I18n {
  const tag = LOCALE_TAG[lang];
  const dates = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'medium' });
  const times = new Intl.DateTimeFormat(tag, { timeStyle: 'short' });
  const unit = (u: string, n: number, digits = 0) => new Intl.NumberFormat(tag, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits }).format(n);
  return {
    lang,
    choice,
    ...ctl,
    t: (key, vars) => translate(lang, key, vars),
    formatDate: (iso) => dates.format(new Date(iso)),
    formatTime: (iso) => times.format(new Date(iso)),
    formatNumber: (n, opts) => new Intl.NumberFormat(tag, opts).format(n),
    formatBytes: (n) => {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
      let i = 0;
      let v = Math.abs(n);
      while (v >= 1000 && i < units.length - 1) ((v /= 1000), i++);
      return unit(units[i]!, Math.sign(n) * v, i === 0 ? 0 : v < 10 ? 1 : 0);
    },
    formatDuration: (seconds) => {
      const s = Math.max(0, Math.round(seconds));
      if (s < 60) return unit('second', s);
      if (s < 3600) return unit('minute', Math.floor(s / 60));
      if (s < 86400) return `${unit('hour', Math.floor(s / 3600))} ${unit('minute', Math.floor((s % 3600) / 60))}`;
      return `${unit('day', Math.floor(s / 86400))} ${unit('hour', Math.floor((s % 86400) / 3600))}`;
    },
    localized: (text) => text[lang] || text.en,
  };
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [choice, setChoice] = useState<LangChoice>(() => {
    const saved = localStorage.getItem(STORAGE_KEY);
    return isLangChoice(saved) ? saved : 'auto';
  });
  const lang = choice === 'auto' ? initialLang(null, navigator.languages) : choice;
  const listeners = useRef(new Set<(l: LangChoice) => void>());
  const adoptLang = useCallback((l: LangChoice) => {
    // Saved here too, so the next start shows the right language before the service answers.
    if (l === 'auto') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, l);
    setChoice(l);
  }, []);
  const setLang = useCallback(
    (l: LangChoice) => {
      adoptLang(l);
      for (const listener of listeners.current) listener(l);
    },
    [adoptLang],
  );
  const onChosen = useCallback((listener: (l: LangChoice) => void) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  useEffect(() => {
    // Screen readers and fonts (CJK glyph variants) follow <html lang>.
    document.documentElement.lang = LOCALE_TAG[lang];
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const value = useMemo(() => makeI18n(choice, lang, { setLang, adoptLang, onChosen }), [choice, lang, setLang, adoptLang, onChosen]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
