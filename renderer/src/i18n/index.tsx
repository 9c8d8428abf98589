import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { ja } from './ja';
import { zh } from './zh';

export const LANGUAGES = { en: 'English', ja: '日本語', zh: '简体中文' } as const;
export type Lang = keyof typeof LANGUAGES;
const CATALOGS: Record<Lang, Messages> = { en, ja, zh };

/** The OS/browser language when we have it, else English. A saved choice wins. */
export function initialLang(saved: string | null, preferred: readonly string[]): Lang {
  if (saved && saved in LANGUAGES) return saved as Lang;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base && base in LANGUAGES) return base as Lang;
  }
  return 'en';
}

export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return CATALOGS[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  formatDate(iso: string): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang(localStorage.getItem('replicadesk.lang'), navigator.languages));
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('replicadesk.lang', l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : l;
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const dates = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : lang, { dateStyle: 'medium', timeStyle: 'medium' });
    return { lang, setLang, t: (key, vars) => translate(lang, key, vars), formatDate: (iso) => dates.format(new Date(iso)) };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
