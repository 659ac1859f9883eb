/**
 * The home as the router knows it: the names, aliases and areas of the devices and scenes the
 * home backend reports, so "turn on the christmas tree" is a home command in a home that has one.
 * The router classifies synchronously, in microseconds; it reads a snapshot (`current()`) that
 * `watchHomeVocabulary` keeps up to date in the background when the home says it changed.
 */
import { domainOf, type HomeBackend, type HomeEntity } from './home/index.js';
import { CLASS_WORDS } from './home-words.js';
import { normalizeWords, singular } from './text/normalize.js';
import type { Corrector } from './text/typos.js';
import { routerCorrector } from './router-text.js';

/** What a mention becomes for the rules: one token that names no real word. */
export const HOME_DEVICE = 'homedevice';
export const HOME_SCENE = 'homescene';
export const HOME_ROOM = 'homeroom';

interface Phrase {
  /** Singular words ("christmas tree", "patio string light"). */
  words: readonly string[];
  mark: typeof HOME_DEVICE | typeof HOME_SCENE | typeof HOME_ROOM;
}

export interface HomeVocabulary {
  /** Names, aliases and areas by their first (singular) word, longest first: a lookup per token, never a scan. */
  readonly phrases: ReadonlyMap<string, readonly Phrase[]>;
  /** Typo correction towards the rules' keywords and every word of those names. */
  readonly corrector: Corrector;
}

const words = (s: string): string[] => normalizeWords(s).replace(/^(?:the|a|an|my|our) /, '').split(' ').filter(Boolean);

export function homeVocabulary(entities: readonly HomeEntity[]): HomeVocabulary {
  const phrases = new Map<string, Phrase[]>();
  const all = new Set<string>();
  const add = (name: unknown, mark: Phrase['mark']) => {
    if (typeof name !== 'string') return;
    const said = words(name);
    // A name that is only a class word ("heating", "fan") is already what the rules read.
    if (said.length === 0 || (said.length === 1 && Object.hasOwn(CLASS_WORDS, singular(said[0])))) return;
    for (const w of said) all.add(w);
    const phrase = { words: said.map(singular), mark };
    const list = phrases.get(phrase.words[0]) ?? [];
    if (!list.some((p) => p.words.join(' ') === phrase.words.join(' '))) list.push(phrase);
    phrases.set(phrase.words[0], list);
  };
  for (const e of entities) {
    const mark = domainOf(e.entity_id) === 'scene' ? HOME_SCENE : HOME_DEVICE;
    add(e.attributes.friendly_name, mark);
    if (Array.isArray(e.attributes.aliases)) for (const a of e.attributes.aliases) add(a, mark);
    add(e.attributes.area, HOME_ROOM);
    if (Array.isArray(e.attributes.area_aliases)) for (const a of e.attributes.area_aliases) add(a, HOME_ROOM);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.words.length - a.words.length);
  return { phrases, corrector: routerCorrector(all) };
}

/**
 * The tokens with each mention of the home's devices, scenes and rooms replaced by its mark,
 * longest name first ("turn on the christmas tree" → "turn on the homedevice"); `tokens` itself
 * when nothing is mentioned.
 */
export function markHome(tokens: string[], vocabulary: HomeVocabulary): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < tokens.length; ) {
    const candidates = vocabulary.phrases.get(singular(tokens[i]));
    const hit = candidates?.find((p) => p.words.every((w, k) => tokens[i + k] !== undefined && singular(tokens[i + k]) === w));
    if (hit) {
      out ??= tokens.slice(0, i);
      out.push(hit.mark);
      i += hit.words.length;
    } else {
      out?.push(tokens[i]);
      i++;
    }
  }
  return out ?? tokens;
}

export interface VocabularyWatch {
  /** The latest snapshot; undefined until the home has been read once. */
  current(): HomeVocabulary | undefined;
  /** Settles after the first read, whether it worked or not. */
  ready: Promise<void>;
  close(): void;
}

export interface WatchOptions {
  /** Re-read this often anyway: the home may not report renames, or was unreachable. Default 5 minutes. */
  refreshMs?: number;
  onError?: (err: unknown) => void;
}

/** What a name change touches: a state change alone leaves the vocabulary as it is. */
const naming = (e: HomeEntity): string => JSON.stringify([e.attributes.friendly_name, e.attributes.aliases, e.attributes.area, e.attributes.area_aliases]);

/**
 * Reads the home once, then again whenever it reports a change of names, aliases or areas (or an
 * entity it has not seen), and every `refreshMs`. Reads never overlap; a change during a read
 * makes one more read after it.
 */
export function watchHomeVocabulary(home: HomeBackend, options: WatchOptions = {}): VocabularyWatch {
  let snapshot: HomeVocabulary | undefined;
  const named = new Map<string, string>();
  let closed = false;
  let reading: Promise<void> | undefined;
  let again = false;

  const read = (): Promise<void> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = home
      .listEntities()
      .then((entities) => {
        if (closed) return;
        named.clear();
        for (const e of entities) named.set(e.entity_id, naming(e));
        snapshot = homeVocabulary(entities);
      }, options.onError ?? (() => {}))
      .finally(() => {
        reading = undefined;
        if (again && !closed) {
          again = false;
          void read();
        }
      });
    return reading;
  };

  const unsubscribe = home.subscribe?.((changed) => {
    if (!closed && (changed.length === 0 || changed.some((e) => named.get(e.entity_id) !== naming(e)))) void read();
  });
  const timer = setInterval(() => void read(), options.refreshMs ?? 300_000);
  timer.unref();
  return {
    current: () => snapshot,
    ready: read(),
    close() {
      closed = true;
      unsubscribe?.();
      clearInterval(timer);
    },
  };
}
