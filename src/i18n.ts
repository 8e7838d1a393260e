/**
 * The app's texts for what it writes itself (command replies, the contextual
 * bar). The same i18n/ files give Rocket.Chat the settings' labels and the
 * command's description; they are bundled into the class file by the
 * packager, so no bridge call is needed to read them.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CATALOGS: Record<string, Record<string, string> | undefined> = { en: require('../i18n/en.json'), de: require('../i18n/de.json') };

export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** A translator for a user's language (`de-AT` → `de`), falling back to English and then to the key. */
export function translator(language?: string): Translate {
    const base = (language ?? 'en').toLowerCase().split(/[-_]/)[0];
    const catalog = CATALOGS[base] ?? CATALOGS.en ?? {};
    const fallback = CATALOGS.en ?? {};
    return (key, values = {}) => {
        const text = catalog[key] ?? fallback[key] ?? key;
        return text.replace(/__(\w+)__/g, (match, name: string) => (name in values ? String(values[name]) : match));
    };
}
