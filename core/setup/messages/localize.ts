import { en } from './en';
import { ja } from './ja';
import { zh } from './zh';

/** The three languages of the UI. Every message exists in all three: ja.ts and zh.ts are typed by en.ts. */
export type Lang = 'en' | 'ja' | 'zh';
export type Localized = Record<Lang, string>;

export type MessageKey = keyof typeof en;
export type MessageParams<K extends MessageKey> = Parameters<(typeof en)[K]>[0];

const catalogs = { en, ja, zh } as const;

export function localize<K extends MessageKey>(key: K, params: MessageParams<K>): Localized {
  const call = (lang: Lang) => (catalogs[lang][key] as (p: MessageParams<K>) => string)(params);
  return { en: call('en'), ja: call('ja'), zh: call('zh') };
}
