/** The word lists the demo data set is drawn from (fixed: the generator's output depends on them). */

/** A city: its English name (also the untagged `name`), names in other languages, [lon, lat]. */
export interface DemoCity {
  key: string;
  name: string;
  names: Readonly<Record<string, string>>;
  lonLat: readonly [number, number];
}

/** Languages of the tagged city names, in the order they are written. */
export const CITY_LANGS = ['en', 'fr', 'de', 'es', 'ja'] as const;

const city = (
  key: string,
  n: readonly [string, string, string, string, string],
  lon: number,
  lat: number,
): DemoCity => ({
  key,
  name: n[0],
  names: { en: n[0], fr: n[1], de: n[2], es: n[3], ja: n[4] },
  lonLat: [lon, lat],
});

export const CITIES: readonly DemoCity[] = [
  city('london', ['London', 'Londres', 'London', 'Londres', 'ロンドン'], -0.13, 51.51),
  city('paris', ['Paris', 'Paris', 'Paris', 'París', 'パリ'], 2.35, 48.86),
  city('berlin', ['Berlin', 'Berlin', 'Berlin', 'Berlín', 'ベルリン'], 13.4, 52.52),
  city('rome', ['Rome', 'Rome', 'Rom', 'Roma', 'ローマ'], 12.5, 41.9),
  city('madrid', ['Madrid', 'Madrid', 'Madrid', 'Madrid', 'マドリード'], -3.7, 40.42),
  city('lisbon', ['Lisbon', 'Lisbonne', 'Lissabon', 'Lisboa', 'リスボン'], -9.14, 38.72),
  city('vienna', ['Vienna', 'Vienne', 'Wien', 'Viena', 'ウィーン'], 16.37, 48.21),
  city('prague', ['Prague', 'Prague', 'Prag', 'Praga', 'プラハ'], 14.42, 50.08),
  city('warsaw', ['Warsaw', 'Varsovie', 'Warschau', 'Varsovia', 'ワルシャワ'], 21.01, 52.23),
  city('athens', ['Athens', 'Athènes', 'Athen', 'Atenas', 'アテネ'], 23.73, 37.98),
  city(
    'copenhagen',
    ['Copenhagen', 'Copenhague', 'Kopenhagen', 'Copenhague', 'コペンハーゲン'],
    12.57,
    55.68,
  ),
  city('brussels', ['Brussels', 'Bruxelles', 'Brüssel', 'Bruselas', 'ブリュッセル'], 4.35, 50.85),
  city('munich', ['Munich', 'Munich', 'München', 'Múnich', 'ミュンヘン'], 11.58, 48.14),
  city('cologne', ['Cologne', 'Cologne', 'Köln', 'Colonia', 'ケルン'], 6.96, 50.94),
  city('geneva', ['Geneva', 'Genève', 'Genf', 'Ginebra', 'ジュネーヴ'], 6.14, 46.2),
  city('venice', ['Venice', 'Venise', 'Venedig', 'Venecia', 'ヴェネツィア'], 12.32, 45.44),
  city('florence', ['Florence', 'Florence', 'Florenz', 'Florencia', 'フィレンツェ'], 11.26, 43.77),
  city('seville', ['Seville', 'Séville', 'Sevilla', 'Sevilla', 'セビリア'], -5.98, 37.39),
  city('moscow', ['Moscow', 'Moscou', 'Moskau', 'Moscú', 'モスクワ'], 37.62, 55.76),
  city('tokyo', ['Tokyo', 'Tokyo', 'Tokio', 'Tokio', '東京'], 139.69, 35.69),
  city('beijing', ['Beijing', 'Pékin', 'Peking', 'Pekín', '北京'], 116.4, 39.9),
  city('cairo', ['Cairo', 'Le Caire', 'Kairo', 'El Cairo', 'カイロ'], 31.24, 30.04),
  city('new-york', ['New York', 'New York', 'New York', 'Nueva York', 'ニューヨーク'], -74.01, 40.71),
  city(
    'mexico-city',
    ['Mexico City', 'Mexico', 'Mexiko-Stadt', 'Ciudad de México', 'メキシコシティ'],
    -99.13,
    19.43,
  ),
];

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Amara',
  'Anton',
  'Aria',
  'Bruno',
  'Carla',
  'Chen',
  'Dalia',
  'Diego',
  'Elena',
  'Emil',
  'Fatima',
  'Felix',
  'Greta',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jonas',
  'Julia',
  'Kenji',
  'Lara',
  'Leo',
  'Lina',
  'Marco',
  'Maya',
  'Nadia',
  'Nils',
  'Omar',
  'Paula',
  'Quentin',
  'Rosa',
  'Sami',
  'Sofia',
  'Tariq',
  'Uma',
  'Victor',
  'Yara',
  'Zoe',
] as const;

export const LAST_NAMES = [
  'Abbott',
  'Bauer',
  'Castro',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jansen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zimmer',
  'Almeida',
  'Brandt',
  'Costa',
  'Dahl',
] as const;

export const ROLES = [
  'engineer',
  'designer',
  'analyst',
  'manager',
  'researcher',
  'teacher',
  'writer',
  'nurse',
  'architect',
  'chef',
  'photographer',
  'musician',
] as const;

export const HOBBIES = [
  'climbing',
  'chess',
  'gardening',
  'cycling',
  'baking',
  'astronomy',
  'sailing',
  'painting',
  'running',
  'birdwatching',
  'pottery',
  'jazz',
  'hiking',
  'knitting',
  'photography',
  'cinema',
] as const;

export const ADJECTIVES = [
  'curious',
  'quiet',
  'cheerful',
  'patient',
  'restless',
  'thoughtful',
  'bold',
  'friendly',
  'careful',
  'playful',
] as const;

export const COMPANY_WORDS = [
  'Northwind',
  'Bluefin',
  'Granite',
  'Lumen',
  'Orchid',
  'Pioneer',
  'Quarry',
  'Redwood',
  'Saffron',
  'Tidal',
  'Umber',
  'Vertex',
  'Willow',
  'Zephyr',
  'Cobalt',
  'Harbor',
] as const;

export const COMPANY_KINDS = [
  'Labs',
  'Works',
  'Systems',
  'Partners',
  'Studio',
  'Foods',
  'Logistics',
  'Health',
] as const;

export const INDUSTRIES = [
  'software',
  'manufacturing',
  'finance',
  'healthcare',
  'education',
  'retail',
  'energy',
  'media',
] as const;

export const TOPICS = [
  'graphs',
  'databases',
  'backups',
  'travel',
  'cooking',
  'music',
  'football',
  'books',
  'science',
  'design',
  'gardening',
  'history',
  'photography',
  'startups',
  'climate',
  'cinema',
] as const;

export const TITLE_WORDS = [
  'notes',
  'thoughts',
  'lessons',
  'questions',
  'a guide',
  'a week',
  'ten years',
  'first steps',
  'small wins',
  'open problems',
] as const;
