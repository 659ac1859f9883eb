/**
 * Properties of the chunker over generated text:
 * - split invariance: however a text is split into deltas, the segments are the same;
 * - faithfulness: the segments joined with single spaces are exactly `normalizeForSpeech` of the
 *   whole text (which collapses white space to single spaces), so nothing is lost, duplicated,
 *   reordered or normalized differently because of where a cut fell.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunkText, createChunker, type ChunkerOptions } from '../../src/speech/chunker.js';
import { normalizeForSpeech } from '../../src/speech/normalize.js';
import { startsSentences } from '../../src/speech/segment-rules.js';
import { feed, splitAt } from '../support/chunker-feed.js';

/** Pieces of model output that exercise every rule, meant to be joined by white space. */
/** `PROPERTY_RUNS_SCALE=20` for a longer hunt than the default quick run. */
const SCALE = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)) });

const PIECES = [
  // words and sentence ends
  'the', 'weather', 'is', 'fine', 'Paris', 'I', 'we', 'said', 'and', 'more', 'Then', 'It', 'x',
  'done.', 'end.', 'ok!', 'why?', 'Really?!', 'so...', 'wait…', 'Yes.', 'no.',
  // abbreviations, titles, initials
  'Mr.', 'Dr.', 'St.', 'Prof.', 'vs.', 'etc.', 'e.g.', 'i.e.', 'U.S.', 'U.S.A.', 'a.m.', 'p.m.', 'No.', 'J.', 'R.', 'approx.', 'Inc.',
  // numbers, money, times, symbols
  '3.5', '42.', '1.', '2)', '1,000', '$100.00', '$3.50', '$1', '€5', '£2.50', '5:30', '12.5%', '72°F', '20°C', '90°',
  'AT&T', 'C++', '2+2', '6*7', '#1', '~30', '1990–2000',
  // URLs and e-mail
  'https://example.com/a.b?x=1.', 'www.example.org.', 'jane.doe@example.com', 'bob+news@example.net.',
  // markdown
  '**bold**', '**Bold.**', '*it*', '_it_', '__u__', 'max_retries', '`code`', '`a. B`', '~~old~~',
  '[the docs](https://x.io/d)', '[A. B.](u)', '![cat](c.png)', '<https://x.io/y>', '#', '##', '-', '*', '+', '>', '|', '---',
  // quotes, parentheses, dashes, clause marks
  '"Stop.', 'Now."', '"Hi,"', '“Go.”', "'quoted.'", '55"', '(aside.', 'more.)', '(x)', ',', ';', ':', '—', '–', '--', 'well—so',
  // emoji
  '🎉', '👍🏽', '☀️', '❤️!', '✅.',
];
const SEPARATORS = [' ', ' ', ' ', ' ', '  ', '\n', '\n\n', '\t', ' \n'];

const piece = fc.constantFrom(...PIECES);
const sep = fc.constantFrom(...SEPARATORS);
const fence = fc.tuple(fc.constantFrom('```', '~~~', '````'), fc.array(piece, { maxLength: 6, size: 'max' })).map(([f, body]) => `\n${f}js\n${body.join(' ')}\n${f}\n`);
const prose = fc
  .array(fc.oneof({ weight: 12, arbitrary: fc.tuple(piece, sep).map(([p, s]) => p + s) }, { weight: 1, arbitrary: fence }), { maxLength: 80, size: 'max' })
  .map((parts) => parts.join(''));

/** Text made of the characters the rules care about, in any order (with astral letters; splits may halve them). */
const anyText = fc.string({ unit: fc.constantFrom(...'ab A.!?,;:-—"“”()[]*_`~#\n \t$5%°&+…🎉𝑎𝐀'), maxLength: 200, size: 'max' });

/** Any split of the text into deltas, as offsets. */
const withSplits = (text: fc.Arbitrary<string>) =>
  text.chain((t) => fc.tuple(fc.constant(t), fc.array(fc.nat({ max: Math.max(0, t.length) }), { maxLength: 40, size: 'max' })));

const OPTION_SETS: [string, Partial<ChunkerOptions>][] = [
  ['defaults', {}],
  ['small limits (many forced cuts)', { firstMinWords: 1, firstMaxChars: 12, maxChars: 24, minChars: 10 }],
  ['sentences only', { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 }],
];

describe('chunker properties', () => {
  for (const [name, options] of OPTION_SETS) {
    it(`any split of generated prose gives the same segments (${name})`, () => {
      fc.assert(
        fc.property(withSplits(prose), ([text, offsets]) => {
          assert.deepEqual(feed(createChunker(options), splitAt(text, offsets)), chunkText(text, options));
        }),
        runs(250),
      );
    });

    it(`any split of arbitrary text gives the same segments (${name})`, () => {
      fc.assert(
        fc.property(withSplits(anyText), ([text, offsets]) => {
          assert.deepEqual(feed(createChunker(options), splitAt(text, offsets)), chunkText(text, options));
        }),
        runs(250),
      );
    });

    it(`joined segments equal the normalized whole text (${name})`, () => {
      fc.assert(
        fc.property(prose, (text) => {
          const segments = chunkText(text, options);
          assert.equal(segments.join(' '), normalizeForSpeech(text));
          for (const s of segments) {
            assert.ok(s !== '' && s === s.trim() && !/\s\s|\n/.test(s), `untidy segment ${JSON.stringify(s)}`);
            assert.ok(!/\*\*|`|~~|\]\(/.test(s), `markdown left in ${JSON.stringify(s)}`);
          }
        }),
        runs(400),
      );
    });

    // Not with tiny limits: a window of four times the limit with no word start in it is cut before
    // any token or anywhere (documented), and random text has such windows; prose does not.
    if (!name.startsWith('small'))
      it(`joined segments equal the normalized whole text, for arbitrary text too (${name})`, () => {
        fc.assert(
          fc.property(anyText, (text) => assert.equal(chunkText(text, options).join(' '), normalizeForSpeech(text))),
          runs(400),
        );
      });
  }

  it('no segment but the last ends right after a title, nor after an initial unless a sentence starts there', () => {
    fc.assert(
      fc.property(prose, (text) => {
        fc.pre(!/\p{Extended_Pictographic}/u.test(text)); // "Dr. 🎉!" is a sentence that reads "Dr." once the emoji is gone
        // On one line, without clause or length cuts: those end a segment whatever came before.
        const segments = chunkText(text.replace(/\n/g, ' '), { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 });
        segments.slice(0, -1).forEach((s, i) => {
          // The next item of a list on one line ("1. … 2) …") starts a segment whatever came before.
          if (/^[•⁃◦▪‣·*-]?(?:\d{1,3}|[a-zA-Z])(?:\.\)|\.|\))(?:\s|$)/u.test(segments[i + 1])) return;
          assert.ok(!/(?:^|\s)(?:Mr|Dr|Prof|vs|e\.g|i\.e)\.$/.test(s), `ends at a title: ${JSON.stringify(s)}`);
          // "Vitamin C. It helps" ends a sentence; "J. Smith" does not.
          const next = /^[\p{L}'’]+/u.exec(segments[i + 1])?.[0] ?? '';
          if (/(?:^|\s)[JR]\.$/.test(s)) assert.ok(startsSentences(next), `ends at an initial before ${JSON.stringify(next)}: ${JSON.stringify(s)}`);
        });
      }),
      runs(300),
    );
  });
});
