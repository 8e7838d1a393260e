/**
 * The app's texts for what it writes itself (command replies, the contextual
 * bar). The same i18n/ files give Rocket.Chat the settings' labels and the
 * command's description; they are bundled into the class file by the
 * packager, so no bridge call is needed to read them.
 */

type Catalog = Record<string, string>;

const CATALOGS: Record<string, Catalog | undefined> = { en: require('../i18n/en.json') as Catalog, de: require('../i18n/de.json') as Catalog };

export interface Translate {
    (key: string, values?: Record<string, string | number>): string;
    /** `key_one` or `key_other` (the language's plural rule for `count`), with `__count__` as a formatted number. */
    count(key: string, count: number, values?: Record<string, string | number>): string;
    number(value: number): string;
    /** A date of an ISO timestamp, as the language writes it ("2 Jan 2024", "02.01.2024"). */
    date(iso: string): string;
    /** A date and time in UTC ("7 Dec 2026, 10:00 UTC", "07.12.2026, 10:00 UTC"). */
    dateTime(iso: string): string;
}

/** A translator for a user's language (`de-AT` → `de`), falling back to English and then to the key. */
export function translator(language?: string): Translate {
    const base = (language ?? 'en').toLowerCase().split(/[-_]/)[0];
    const locale = CATALOGS[base] ? base : 'en';
    const catalog = CATALOGS[locale] ?? {};
    const fallback = CATALOGS.en ?? {};
    const numbers = new Intl.NumberFormat(locale);
    const dates = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
        day: locale === 'en' ? 'numeric' : '2-digit',
        month: locale === 'en' ? 'short' : '2-digit',
        year: 'numeric',
        timeZone: 'UTC',
    });
    const times = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
    const plurals = new Intl.PluralRules(locale);

    const t = ((key, values = {}) => {
        const text = catalog[key] ?? fallback[key] ?? key;
        return text.replace(/__(\w+)__/g, (match, name: string) => (name in values ? String(values[name]) : match));
    }) as Translate;
    t.number = (value) => numbers.format(value);
    t.count = (key, count, values = {}) => t(`${key}_${plurals.select(count) === 'one' ? 'one' : 'other'}`, { ...values, count: t.number(count) });
    t.date = (iso) => {
        const date = new Date(iso);
        return Number.isNaN(date.getTime()) ? iso : dates.format(date);
    };
    t.dateTime = (iso) => {
        const date = new Date(iso);
        return Number.isNaN(date.getTime()) ? iso : `${dates.format(date)}, ${times.format(date)} UTC`;
    };
    return t;
}
