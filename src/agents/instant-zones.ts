/**
 * "What time is it in Tokyo?": places people ask about, by the name they say, to IANA zones.
 * Countries with one zone and the world's big cities; anything else goes to the model.
 */
const ZONES: Record<string, string> = {
  london: 'Europe/London', uk: 'Europe/London', england: 'Europe/London', britain: 'Europe/London', scotland: 'Europe/London',
  dublin: 'Europe/Dublin', ireland: 'Europe/Dublin', lisbon: 'Europe/Lisbon', portugal: 'Europe/Lisbon',
  paris: 'Europe/Paris', france: 'Europe/Paris', berlin: 'Europe/Berlin', germany: 'Europe/Berlin', madrid: 'Europe/Madrid',
  spain: 'Europe/Madrid', rome: 'Europe/Rome', italy: 'Europe/Rome', amsterdam: 'Europe/Amsterdam', netherlands: 'Europe/Amsterdam',
  brussels: 'Europe/Brussels', vienna: 'Europe/Vienna', zurich: 'Europe/Zurich', switzerland: 'Europe/Zurich',
  stockholm: 'Europe/Stockholm', sweden: 'Europe/Stockholm', oslo: 'Europe/Oslo', norway: 'Europe/Oslo',
  copenhagen: 'Europe/Copenhagen', denmark: 'Europe/Copenhagen', helsinki: 'Europe/Helsinki', finland: 'Europe/Helsinki',
  warsaw: 'Europe/Warsaw', poland: 'Europe/Warsaw', prague: 'Europe/Prague', athens: 'Europe/Athens', greece: 'Europe/Athens',
  istanbul: 'Europe/Istanbul', turkey: 'Europe/Istanbul', moscow: 'Europe/Moscow', kyiv: 'Europe/Kyiv', kiev: 'Europe/Kyiv',
  cairo: 'Africa/Cairo', egypt: 'Africa/Cairo', lagos: 'Africa/Lagos', nigeria: 'Africa/Lagos', nairobi: 'Africa/Nairobi',
  kenya: 'Africa/Nairobi', johannesburg: 'Africa/Johannesburg', 'cape town': 'Africa/Johannesburg', 'south africa': 'Africa/Johannesburg',
  dubai: 'Asia/Dubai', 'abu dhabi': 'Asia/Dubai', riyadh: 'Asia/Riyadh', 'tel aviv': 'Asia/Jerusalem', jerusalem: 'Asia/Jerusalem',
  israel: 'Asia/Jerusalem', tehran: 'Asia/Tehran', iran: 'Asia/Tehran', karachi: 'Asia/Karachi', pakistan: 'Asia/Karachi',
  delhi: 'Asia/Kolkata', 'new delhi': 'Asia/Kolkata', mumbai: 'Asia/Kolkata', bangalore: 'Asia/Kolkata', india: 'Asia/Kolkata',
  dhaka: 'Asia/Dhaka', bangkok: 'Asia/Bangkok', thailand: 'Asia/Bangkok', jakarta: 'Asia/Jakarta', singapore: 'Asia/Singapore',
  'kuala lumpur': 'Asia/Kuala_Lumpur', 'hong kong': 'Asia/Hong_Kong', beijing: 'Asia/Shanghai', shanghai: 'Asia/Shanghai',
  china: 'Asia/Shanghai', taipei: 'Asia/Taipei', taiwan: 'Asia/Taipei', manila: 'Asia/Manila', philippines: 'Asia/Manila',
  seoul: 'Asia/Seoul', korea: 'Asia/Seoul', 'south korea': 'Asia/Seoul', tokyo: 'Asia/Tokyo', osaka: 'Asia/Tokyo', japan: 'Asia/Tokyo',
  sydney: 'Australia/Sydney', melbourne: 'Australia/Melbourne', brisbane: 'Australia/Brisbane', perth: 'Australia/Perth',
  adelaide: 'Australia/Adelaide', auckland: 'Pacific/Auckland', 'new zealand': 'Pacific/Auckland', honolulu: 'Pacific/Honolulu',
  hawaii: 'Pacific/Honolulu', anchorage: 'America/Anchorage', alaska: 'America/Anchorage', 'los angeles': 'America/Los_Angeles',
  'san francisco': 'America/Los_Angeles', seattle: 'America/Los_Angeles', california: 'America/Los_Angeles',
  vancouver: 'America/Vancouver', 'las vegas': 'America/Los_Angeles', phoenix: 'America/Phoenix', arizona: 'America/Phoenix',
  denver: 'America/Denver', chicago: 'America/Chicago', dallas: 'America/Chicago', houston: 'America/Chicago', texas: 'America/Chicago',
  'mexico city': 'America/Mexico_City', mexico: 'America/Mexico_City', 'new york': 'America/New_York', nyc: 'America/New_York',
  boston: 'America/New_York', washington: 'America/New_York', miami: 'America/New_York', atlanta: 'America/New_York',
  toronto: 'America/Toronto', montreal: 'America/Toronto', bogota: 'America/Bogota', colombia: 'America/Bogota', lima: 'America/Lima',
  peru: 'America/Lima', santiago: 'America/Santiago', chile: 'America/Santiago', 'buenos aires': 'America/Argentina/Buenos_Aires',
  argentina: 'America/Argentina/Buenos_Aires', 'sao paulo': 'America/Sao_Paulo', 'rio de janeiro': 'America/Sao_Paulo',
  rio: 'America/Sao_Paulo', reykjavik: 'Atlantic/Reykjavik', iceland: 'Atlantic/Reykjavik', utc: 'UTC', gmt: 'UTC',
};

/** Every word of a known place name (for the router's vocabulary: never "corrected"). */
export const PLACE_WORDS: readonly string[] = [...new Set(Object.keys(ZONES).flatMap((k) => k.split(' ')))];

export interface Place {
  name: string;
  timeZone: string;
}

/** The place named at the end of "what time is it in <place>", if we know its zone. */
export function placeIn(text: string): Place | null {
  const m = /\bin (?:the )?([a-z][a-z .'-]*?)\s*(?:right now|now|at the moment)?[?.!]*$/i.exec(text.trim());
  if (!m) return null;
  const key = m[1].toLowerCase().replace(/\./g, '').trim();
  const timeZone = ZONES[key];
  if (!timeZone) return null;
  const name = key.length <= 3 ? key.toUpperCase() : key.replace(/\b[a-z]/g, (c) => c.toUpperCase());
  return { name, timeZone };
}
