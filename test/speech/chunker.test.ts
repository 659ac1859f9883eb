// What the chunker emits. How its cost grows with the text (linear, also for long unclosed
// quotes and code blocks) is measured in bench/speech.ts ("chunker scaling").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkText, createChunker, DEFAULT_CHUNKER_OPTIONS } from '../../src/speech/chunker.js';
import { normalizeForSpeech } from '../../src/speech/normalize.js';
import { feed, slices } from '../support/chunker-feed.js';

/** Sentence segmentation only: no clause cuts, no length cuts. */
const SENTENCES = { firstMinWords: Infinity, firstMaxChars: 10_000, maxChars: 10_000 };
const sentences = (text: string) => chunkText(text, SENTENCES);

describe('a sentence end is confirmed by the next non-space character', () => {
  it('emits nothing for a sentence whose next character has not arrived', () => {
    const c = createChunker();
    assert.deepEqual(c.push('Hello world.'), []);
    assert.deepEqual(c.push(' '), []);
    assert.deepEqual(c.push('  '), []);
    assert.deepEqual(c.push('T'), ['Hello world.']);
    assert.deepEqual(c.push('hat is all.'), []);
    assert.deepEqual(c.flush(), ['That is all.']);
  });

  it('emits the last sentence at flush', () => {
    const c = createChunker();
    assert.deepEqual(c.push('Done. '), []);
    assert.deepEqual(c.flush(), ['Done.']);
  });

  it('a newline confirms an end at once', () => {
    const c = createChunker();
    assert.deepEqual(c.push('First line.\n'), ['First line.']);
    assert.deepEqual(c.push('Second'), []);
    assert.deepEqual(c.flush(), ['Second']);
  });

  it('a lower-case word or continuing punctuation cancels the end', () => {
    assert.deepEqual(sentences('It costs approx. five euros. Fine.'), ['It costs approx. five euros.', 'Fine.']);
    assert.deepEqual(sentences('Yahoo! is a website. Yes.'), ['Yahoo! is a website.', 'Yes.']);
    assert.deepEqual(sentences('Prices rose 5. %, said nobody. Ok.'), ['Prices rose 5. percent, said nobody.', 'Ok.']);
  });

  it('keeps closing quotes, brackets and emphasis with the sentence', () => {
    assert.deepEqual(sentences('She said "Go." Then she went.'), ['She said "Go."', 'Then she went.']);
    assert.deepEqual(sentences('(This is aside.) Back to it.'), ['(This is aside.)', 'Back to it.']);
    assert.deepEqual(sentences('**Be careful.** It is hot.'), ['Be careful.', 'It is hot.']);
  });

  it('decides on a whole character when a delta ends inside a surrogate pair', () => {
    const text = 'Hello there. 𝑎 is a lower-case letter. Next one. 𝐀 is not.';
    const whole = chunkText(text);
    assert.deepEqual(whole, ['Hello there. 𝑎 is a lower-case letter.', 'Next one.', '𝐀 is not.']);
    for (let k = 1; k < text.length; k++) assert.deepEqual(feed(createChunker(), [text.slice(0, k), text.slice(k)]), whole, `split at ${k}`);
  });

  it('emits each sentence once, in order, for a text delivered one character at a time', () => {
    const text = 'One. Two! Three? Four... Five.';
    const c = createChunker(SENTENCES);
    const got: string[][] = [];
    for (const ch of text) got.push(c.push(ch));
    const flat = [...got.flat(), ...c.flush()];
    assert.deepEqual(flat, ['One.', 'Two!', 'Three?', 'Four...', 'Five.']);
    // "One." is out as soon as "T" of "Two" arrives: at index 5.
    assert.deepEqual(got[5], ['One.']);
    assert.deepEqual(got.slice(0, 5).flat(), []);
  });
});

describe('never splits inside', () => {
  const cases: [string, string][] = [
    ['titles', 'Mr. Smith and Mrs. Smith met Dr. Jones and Prof. Lee on St. Mark Street.'],
    ['vs. and cf.', 'It was Kramer vs. Kramer, cf. Smith.'],
    ['e.g. and i.e.', 'Bring fruit, e.g. Apples, i.e. Something Red.'],
    ['etc. mid-sentence', 'Eggs, milk, etc. and more.'],
    ['initials', 'J. R. R. Tolkien met C. S. Lewis.'],
    ['decimals', 'Pi is 3.14159 and e is 2.71828.'],
    ['money', 'It costs $100.00 or 3.5 dollars.'],
    ['times', 'Meet at 5:30 or 10:45.'],
    ['a.m. before a digit', 'We met at 5 p.m. 6 people came.'],
    ['list numbers', '1. First item.'],
    ['list numbers after a colon', 'Steps: 1. Open it.'],
    ['URLs', 'See https://example.com/a.b.c?x=1.2 for details.'],
    ['e-mail addresses', 'Mail j.r.smith@mail.example.org now.'],
    ['ellipses', 'Wait for it... and there it goes.'],
    ['quotations', 'He said "Stop. Now." and left.'],
    ['curly quotations', 'He said “Stop. Now.” and left.'],
    ['parentheses', 'Bring a coat (it gets cold. Really cold.) and boots.'],
    ['bold', 'This is **Important. Read it.** now.'],
    ['links', 'Read [the guide. It helps.](https://x.io/g) first.'],
    ['inline code', 'Call `a. B` first.'],
    ['version numbers', 'Version 2.1.3 is out.'],
    ['Ph.D.', 'She has a Ph.D. in physics.'],
  ];
  for (const [name, text] of cases) {
    it(name, () => assert.equal(sentences(text).length, 1, `split: ${JSON.stringify(sentences(text))}`));
  }
});

describe('splits at', () => {
  const cases: [string, string, string[]][] = [
    ['a.m. before a capital', 'We left at 5 p.m. Then it rained.', ['We left at 5 p.m.', 'Then it rained.']],
    ['etc. before a capital', 'Eggs, milk, etc. The rest later.', ['Eggs, milk, etc.', 'The rest later.']],
    ['a quotation that ends the sentence', 'She said "Hi." Then left.', ['She said "Hi."', 'Then left.']],
    ['a number that ends a sentence', 'I counted 42. There may be more.', ['I counted 42.', 'There may be more.']],
    ['a digit after a plain end', 'The answer is 7. 8 is wrong.', ['The answer is 7.', '8 is wrong.']],
    ['a URL at a sentence end', 'Go to example.com. Then log in.', ['Go to example.com.', 'Then log in.']],
    ['question and exclamation runs', 'Really?! Yes.', ['Really?!', 'Yes.']],
    ['inline list items', '1. First, read. 2. Then plug it in.', ['1. First, read.', '2. Then plug it in.']],
    ['each line', '# Title\n- one\n- two', ['Title.', 'one.', 'two']],
  ];
  for (const [name, text, want] of cases) it(name, () => assert.deepEqual(sentences(text), want));
});

describe('the first segment', () => {
  const text = 'Sure thing, the weather in Paris is sunny today, with a light breeze. Later, it may rain, so take a coat.';

  it('ends at a clause mark once it holds firstMinWords words; later segments end at sentence ends', () => {
    assert.deepEqual(chunkText(text), ['Sure thing, the weather in Paris is sunny today,', 'with a light breeze.', 'Later, it may rain, so take a coat.']);
  });

  it('honours firstMinWords', () => {
    assert.deepEqual(chunkText(text, { firstMinWords: 2 })[0], 'Sure thing,');
    assert.deepEqual(chunkText(text, { firstMinWords: 12 })[0], 'Sure thing, the weather in Paris is sunny today, with a light breeze.');
  });

  it('may end at a colon, a semicolon or a dash', () => {
    assert.deepEqual(chunkText('Here is what I found: three shops are open.')[0], 'Here is what I found:');
    assert.deepEqual(chunkText('It rained all day long; we stayed in.')[0], 'It rained all day long;');
    assert.deepEqual(chunkText('The Eiffel Tower in Paris—built in 1889—is tall.')[0], 'The Eiffel Tower in Paris,');
    assert.deepEqual(chunkText('Rain is very likely today - bring an umbrella.')[0], 'Rain is very likely today,');
  });

  it('does not end at a clause mark inside a quotation or before a non-word', () => {
    assert.deepEqual(chunkText('He said "well, I guess, maybe so" and left.'), ['He said "well, I guess, maybe so" and left.']);
    assert.deepEqual(chunkText('We sold one two three thousand,000 units.'), ['We sold one two three thousand,000 units.']);
  });
});

describe('a long run without punctuation', () => {
  const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
  const text = words.join(' ');

  it('is cut at word boundaries, within maxChars (firstMaxChars for the first segment)', () => {
    const segs = chunkText(text, { firstMaxChars: 60, maxChars: 100 });
    assert.ok(segs[0].length <= 60, segs[0]);
    for (const s of segs.slice(1)) assert.ok(s.length <= 100, s);
    assert.ok(segs.length > 10);
    assert.equal(segs.join(' '), text, 'no word broken or lost');
  });

  it('prefers a cut outside bold', () => {
    const t = `${words.slice(0, 10).join(' ')} **${words.slice(10, 14).join(' ')}** ${words.slice(14, 40).join(' ')}`;
    for (const s of chunkText(t, { firstMaxChars: 100, maxChars: 100 })) {
      assert.ok(!s.includes('word11') || (s.includes('word10') && s.includes('word13')), `cut inside bold: ${s}`);
    }
  });

  it('cut at four times the limit just as a word starts: before that word, not before the mark ahead of it', () => {
    // 48 characters without a word start, then "the": the dash stays a pause on the word before it,
    // as in the whole text (a property run found it).
    const t = 'the <https://x.io/y> "Hi," <https://x.io/y> --- the ';
    const options = { firstMinWords: 1, firstMaxChars: 12, maxChars: 24, minChars: 10 };
    assert.deepEqual(chunkText(t, options), ['the x.io/y "Hi," x.io/y,', 'the']);
    assert.equal(chunkText(t, options).join(' '), normalizeForSpeech(t));
  });

  it('cut at four times the limit inside a run of marks and links: before the link, so the mark stays on the word before it', () => {
    const t = 'the <https://x.io/y> "Hi," <https://x.io/y> --- <https://x.io/z> the';
    const options = { firstMinWords: 1, firstMaxChars: 12, maxChars: 24, minChars: 10 };
    assert.deepEqual(chunkText(t, options), ['the x.io/y "Hi," x.io/y,', 'x.io/z the']);
    assert.equal(chunkText(t, options).join(' '), normalizeForSpeech(t));
  });

  it('without any space is still cut, so memory stays bounded', () => {
    const blob = 'x'.repeat(5000);
    const segs = feed(createChunker({ maxChars: 100, firstMaxChars: 100 }), slices(blob, 7));
    assert.equal(segs.join(''), blob);
    for (const s of segs) assert.ok(s.length <= 400);
  });
});

describe('minChars', () => {
  it('joins a short later sentence to the next one, never the first', () => {
    assert.deepEqual(chunkText('Yes. Ok. Sure. That is fine.', { ...SENTENCES, minChars: 8 }), ['Yes.', 'Ok. Sure.', 'That is fine.']);
  });
});

describe('markdown across deltas', () => {
  it('removes ** split across deltas', () => {
    assert.deepEqual(feed(createChunker(), ['This is *', '*very', ' important*', '* indeed.']), ['This is very important indeed.']);
  });

  it('skips a fenced code block entirely, however it arrives', () => {
    const text = 'Try this:\n```python\nprint("Hello. World.")\nx = 1\n```\nIt prints a greeting.';
    for (const size of [1, 2, 3, 5, 1000]) {
      assert.deepEqual(feed(createChunker(), slices(text, size)), ['Try this:', 'It prints a greeting.'], `delta size ${size}`);
    }
  });

  it('skips an unclosed fence to the end, and a ~~~ fence, and ignores a shorter closing fence', () => {
    assert.deepEqual(chunkText('Code:\n```\nsecret. Stuff.'), ['Code:']);
    assert.deepEqual(chunkText('A.\n~~~\nnot. Spoken.\n~~~\nB.'), ['A.', 'B.']);
    assert.deepEqual(chunkText('A.\n````\n```\nstill code.\n````\nB.'), ['A.', 'B.']);
  });

  it('speaks a link as its text and does not cut inside it', () => {
    assert.deepEqual(feed(createChunker(SENTENCES), slices('See [the docs. All of them.](https://x.io/d) Then ask.', 2)), [
      'See the docs. All of them.',
      'Then ask.',
    ]);
  });
});

describe('options and input', () => {
  it('has documented defaults', () => {
    assert.deepEqual({ ...DEFAULT_CHUNKER_OPTIONS }, { firstMinWords: 4, firstMaxChars: 120, maxChars: 220, minChars: 0 });
  });

  it('rejects bad options with a clear error', () => {
    assert.throws(() => createChunker({ maxChars: 0 }), /maxChars must be an integer >= 10, got 0/);
    assert.throws(() => createChunker({ firstMinWords: 1.5 }), /firstMinWords must be an integer >= 1 or Infinity/);
    assert.throws(() => createChunker({ minChars: -1 }), /minChars/);
    assert.throws(() => createChunker({ bogus: 1 } as never), /Unknown chunker option "bogus"/);
  });

  it('rejects a delta that is not a string', () => {
    assert.throws(() => createChunker().push(42 as never), TypeError);
  });

  it('is reusable after flush', () => {
    const c = createChunker();
    assert.deepEqual(feed(c, ['**Bold start', ' (open paren. ']), ['Bold start (open paren.']);
    assert.deepEqual(feed(c, ['Fresh. Start.']), ['Fresh.', 'Start.']);
  });

  it('emits nothing for text with nothing to say', () => {
    assert.deepEqual(chunkText(''), []);
    assert.deepEqual(chunkText('  \n\n 🎉 ✅ \n---\n'), []);
  });
});

