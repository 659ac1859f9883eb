/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against the whole
 * server: demo-mode model over real HTTP/SSE, Flite speech, SQLite in a file. The simulator's
 * `enqueue` sets what the "model" says and how fast. Screenshots go to test-output/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { fmtMs } from '../../src/dashboard/format.js';
import { ROOT } from '../support/browser-dashboard.js';
import { chromiumMissing, closeBrowser, openPage, screenshot } from '../support/browser-chromium.js';
import { FeedWatcher, startDashboardServer, type DashboardServer } from '../support/browser-server.js';
import { tempDir } from '../support/turn-store.js';

const STORY =
  'Once upon a time, a family of otters lived by a cold, clear river. Every morning they floated on their backs, ' +
  'cracking shells on their bellies and holding paws so the current would not pull them apart. ' +
  'The youngest otter, Pip, wanted to see the sea.';

/*
 * Page-side code (the callbacks given to page.evaluate / waitForFunction) runs in the browser. The
 * test program is compiled without the DOM library, so the few browser globals it uses are
 * declared here, in this module only.
 */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
  getElementById(id: string): PageElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  cookie: string;
};
declare const window: unknown;
declare const localStorage: { length: number };
declare const sessionStorage: { length: number };
declare const MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void };

const skip = chromiumMissing();
after(() => closeBrowser());

async function server(t: TestContext, env: Record<string, string> = {}): Promise<DashboardServer> {
  return startDashboardServer(t, { BARNABEE_DB: join(tempDir(t, 'barnabee-browser-'), 'b.db'), ...env });
}

async function open(t: TestContext, url: string, options: Parameters<typeof openPage>[1] = {}) {
  const opened = await openPage(t, options);
  await opened.page.goto(url);
  await opened.page.waitForSelector('#feed-state[data-state="open"]');
  return opened;
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#talk-input', text);
  await page.press('#talk-input', 'Enter');
}

/** The card of the turn whose input is exactly `input`, and its turn id once it has one. */
async function card(page: Page, input: string) {
  const locator = page.locator('article.turn', { has: page.locator('.turn-input', { hasText: input }) }).first();
  await locator.waitFor();
  return { locator, id: (await locator.getAttribute('data-turn-id'))! };
}

async function endOf(feed: FeedWatcher, turnId: string) {
  const end = await feed.wait((e) => e.turn_id === turnId && e.type === 'turn.end');
  assert.equal(end.type, 'turn.end');
  return end as Extract<typeof end, { type: 'turn.end' }>;
}

if (skip) it('browser tests', (t) => t.skip(skip));

describe('dashboard in Chromium', { skip: skip !== null }, () => {
  it('shows the answer growing chunk by chunk before it is complete', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    srv.runtime.simulator!.enqueue({ text: STORY, ttftMs: 100, tokensPerSecond: 40 });
    const { page, problems } = await open(t, srv.url);

    // Every text state of the answer, as rendered, with the card's status at that moment.
    await page.evaluate(() => {
      const seen: [string | null, number][] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const turn = document.querySelector('article.turn');
        const answer = turn?.querySelector('.turn-answer');
        if (turn && answer) seen.push([turn.getAttribute('data-status'), answer.textContent?.length ?? 0]);
      }).observe(document.getElementById('turns')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await send(page, 'Tell me a story about otters');
    const { locator, id } = await card(page, 'Tell me a story about otters');
    await page.waitForFunction(() => (document.querySelector('article.turn .turn-answer')?.textContent?.length ?? 0) > 40);
    // Read from the observer's record, not the card now: on a busy machine the answer may have
    // finished by the time this line runs.
    const shownRunning = await page.evaluate(() => (window as unknown as { seen: [string | null, number][] }).seen.some(([s, n]) => s === 'running' && n > 40));
    assert.ok(shownRunning, 'more than 40 characters were shown while the turn was running');
    await screenshot(page, 'dashboard-streaming');

    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="completed"]`, { timeout: 30_000 });
    const end = await endOf(feed, id);
    assert.equal(await locator.locator('.turn-answer').textContent(), end.text);
    assert.equal(end.text, STORY);

    const seen = await page.evaluate(() => (window as unknown as { seen: [string | null, number][] }).seen);
    const partial = new Set(seen.filter(([status, n]) => status === 'running' && n > 0 && n < STORY.length).map(([, n]) => n));
    assert.ok(partial.size >= 5, `the answer was shown in ${partial.size} partial states while running`);
    assert.equal(await locator.locator('.agent').textContent(), 'interaction');
    assert.deepEqual(problems, []);
  });

  it('Stop cancels the answer mid-stream: the turn ends cancelled and the model stops', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    const sim = srv.runtime.simulator!;
    sim.enqueue({ text: STORY.repeat(4), ttftMs: 100, tokensPerSecond: 15 });
    const { page, problems } = await open(t, srv.url);
    await send(page, 'Tell me a long story about otters');
    const { locator, id } = await card(page, 'Tell me a long story about otters');
    await page.waitForFunction(() => (document.querySelector('article.turn .turn-answer')?.textContent?.length ?? 0) > 20);
    assert.equal(await page.isEnabled('#stop'), true);
    await page.click('#stop');

    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="cancelled"]`, { timeout: 10_000 });
    const end = await endOf(feed, id);
    assert.equal(end.status, 'cancelled');
    assert.ok(end.text.length < STORY.length * 4, 'the answer was cut short');
    assert.equal(await locator.locator('.turn-status').textContent(), 'cancelled');
    await page.waitForSelector('#stop:disabled');
    // The upstream request was aborted: the simulator has nothing in flight.
    await sim.settled();
    assert.equal(sim.active, 0);
    await screenshot(page, 'dashboard-cancelled');
    assert.deepEqual(problems, []);
  });

  it('the waterfall shows exactly the turn.end metrics, and Speak plays every audio chunk', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    srv.runtime.simulator!.enqueue({ text: 'The moon is about three hundred and eighty thousand kilometres away. It drifts a little further every year.', ttftMs: 80, tokensPerSecond: 80 });
    const { page, problems } = await open(t, srv.url);
    await page.check('#speak');
    await send(page, 'How far away is the moon');
    const { locator, id } = await card(page, 'How far away is the moon');
    // The segment audible right now is highlighted (from the audio clock, not the events).
    await locator.locator('.segment[data-state="playing"]').first().waitFor({ timeout: 15_000 });
    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="completed"] .waterfall`, { timeout: 30_000 });
    const end = await endOf(feed, id);
    const m = end.metrics;
    assert.ok(typeof m.first_audio_ms === 'number', 'a spoken turn has first audio');

    const rows = await locator.locator('.wf-row').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-mark'), e.getAttribute('data-ms'), e.querySelector('.wf-ms')?.textContent]),
    );
    assert.deepEqual(rows, [
      ['route', String(m.route_ms), fmtMs(m.route_ms)],
      ['first_chunk', String(m.first_chunk_ms), fmtMs(m.first_chunk_ms)],
      ['first_audio', String(m.first_audio_ms), fmtMs(m.first_audio_ms)],
      ['total', String(m.total_ms), fmtMs(m.total_ms)],
    ]);

    // Every audio frame of the turn reached the player.
    const audioEvents = feed.turn(id).filter((e) => e.type === 'audio').length;
    assert.ok(audioEvents > 0);
    await page.waitForFunction((n) => document.querySelector('label.toggle')?.getAttribute('data-chunks') === String(n), audioEvents);
    // Whether playback ran dry between chunks depends on how fast this machine synthesizes right
    // now: reported, not asserted (bench/speech.ts measures gaps).
    const underruns = await page.getAttribute('label.toggle', 'data-underruns');
    assert.match(underruns ?? '', /^\d+$/);
    t.diagnostic(`playback underruns: ${underruns}`);
    const segments = await locator.locator('.segment').count();
    assert.equal(segments, feed.turn(id).filter((e) => e.type === 'speech.start').length);
    await screenshot(page, 'dashboard-waterfall');
    assert.deepEqual(problems, []);
  });

  it('Stop while speaking reports how much was played: the turn keeps only what was heard', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    srv.runtime.simulator!.enqueue({ text: STORY, ttftMs: 50, tokensPerSecond: 30 });
    const { page, problems } = await open(t, srv.url);
    await page.check('#speak');
    await send(page, 'Tell me a long story');
    const { locator, id } = await card(page, 'Tell me a long story');
    await locator.locator('.segment[data-state="playing"]').first().waitFor({ timeout: 15_000 });
    await page.click('#stop');
    const end = await endOf(feed, id);
    assert.equal(end.status, 'cancelled');
    const played = end.metrics.played_ms;
    assert.ok(typeof played === 'number' && played > 0, `played_ms ${played}`);
    // Less was heard than was synthesized and sent: the player is behind the server.
    const sent = feed.turn(id).filter((e) => e.type === 'speech.start').map((e) => (e as { text: string }).text).join(' ');
    assert.ok(end.spoken_text.length < sent.length, `heard ${JSON.stringify(end.spoken_text)} of ${JSON.stringify(sent)}`);
    assert.ok(sent.startsWith(end.spoken_text.split(' ').slice(0, -1).join(' ')));
    assert.deepEqual(problems, []);
  });

  it('shows the model thinking above the answer as it streams, then collapses it; nothing of it is spoken', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    const thought = 'The user wants a short fact about owls, so one sentence about their hearing will do.';
    srv.runtime.simulator!.enqueue({ text: 'Owls can hear a mouse moving under the snow.', reasoning: thought, ttftMs: 50, tokensPerSecond: 15 });
    const { page, problems } = await open(t, srv.url);
    await page.check('#speak');
    await send(page, 'Tell me about owls');
    const { locator, id } = await card(page, 'Tell me about owls');
    // While it thinks: the thinking is shown, open, before any answer text.
    await locator.locator('details.turn-thinking[open] .turn-thinking-text').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => (document.querySelector('article.turn .turn-thinking-text')?.textContent?.length ?? 0) > 10);
    await screenshot(page, 'dashboard-thinking');
    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="completed"]`, { timeout: 30_000 });
    assert.equal(await locator.locator('.turn-thinking-text').textContent(), thought);
    assert.equal(await locator.locator('details.turn-thinking').getAttribute('open'), null, 'collapsed once the answer started');
    assert.equal(await locator.locator('.turn-answer').textContent(), 'Owls can hear a mouse moving under the snow.');
    const spoken = feed.turn(id).filter((e) => e.type === 'speech.start').map((e) => (e as { text: string }).text).join(' ');
    assert.match(spoken, /Owls can hear/);
    assert.ok(!/short fact|hearing will do|user wants/.test(spoken), `no thought is spoken: ${spoken}`);
    assert.deepEqual(problems, []);
  });

  it('model output is shown as text: markup in an answer never becomes elements or runs', async (t) => {
    const srv = await server(t);
    const feed = await FeedWatcher.open(t, srv.url);
    const payload = 'Sure: <img src=x onerror=alert(1)> and <script>alert("s")</script> <b>bold?</b> done.';
    srv.runtime.simulator!.enqueue({ text: payload, ttftMs: 50, tokensPerSecond: 200 });
    const { page, problems } = await open(t, srv.url);
    const input = 'Tell me about <img src=y onerror=alert(2)>';
    await send(page, input);
    const { locator, id } = await card(page, input);
    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="completed"]`, { timeout: 30_000 });
    const end = await endOf(feed, id);
    assert.equal(end.text, payload);
    assert.equal(await locator.locator('.turn-answer').textContent(), payload);
    assert.equal(await locator.locator('.turn-input').textContent(), input);
    assert.equal(await page.locator('main img, main script, main b').count(), 0);

    // The same answer in History (stored, then read back) stays text too.
    await page.click('#tab-history');
    await page.click(`#history-turns button[data-turn-id="${id}"]`);
    const detail = page.locator('#history-detail .turn-answer');
    await detail.waitFor();
    assert.equal(await detail.textContent(), payload);
    assert.equal(await page.locator('main img, main script, main b').count(), 0);
    await page.waitForTimeout(200);
    assert.deepEqual(problems, [], 'no dialog fired and no error');
    await screenshot(page, 'dashboard-xss');
  });

  it('history survives a server restart (same database file) and opens a turn with its trace', async (t) => {
    const db = join(tempDir(t, 'barnabee-restart-'), 'b.db');
    const first = await server(t, { BARNABEE_DB: db });
    first.runtime.simulator!.enqueue({ text: 'Otters hold hands while they sleep.', ttftMs: 30, tokensPerSecond: 300 });
    {
      const { page } = await open(t, first.url);
      await send(page, 'Tell me an otter fact');
      await page.waitForSelector('article.turn[data-status="completed"]', { timeout: 30_000 });
      await send(page, 'What time is it');
      await page.waitForSelector('article.turn:nth-child(1)[data-status="completed"] .turn-input:text("What time is it")', { timeout: 30_000 });
    }
    await first.close();

    const second = await server(t, { BARNABEE_DB: db });
    const { page, problems } = await open(t, `${second.url}/#history`);
    const items = page.locator('#history-turns button[data-turn-id]');
    await items.nth(1).waitFor();
    assert.deepEqual(await items.locator('.item-title').allTextContents(), ['What time is it', 'Tell me an otter fact']);
    assert.equal(await page.locator('#history-conversations button[data-conversation-id]').count(), 1);

    await page.fill('#history-q', 'otters hold');
    await page.press('#history-q', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#history-turns button[data-turn-id]').length === 1);
    await items.first().click();
    const detail = page.locator('#history-detail');
    await detail.locator('.trace tbody tr').first().waitFor();
    assert.equal(await detail.locator('.turn-answer').textContent(), 'Otters hold hands while they sleep.');
    const types = await detail.locator('.trace tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    assert.equal(types[0], 'turn.start');
    assert.equal(types.at(-1), 'turn.end');
    assert.ok(types.includes('chunk') && types.includes('route'));
    await detail.locator('.waterfall').waitFor();
    await screenshot(page, 'dashboard-history', true);
    assert.deepEqual(problems, []);
  });

  it('with an API token: asks once, keeps only an HttpOnly cookie, then works', async (t) => {
    const token = 'browser-test-token-abcdefghijklmnop';
    const srv = await server(t, { BARNABEE_API_TOKEN: token });
    const { page, context, problems } = await openPage(t);
    await page.goto(srv.url);
    const dialog = page.locator('dialog#login');
    await dialog.waitFor();
    await screenshot(page, 'dashboard-login');
    await page.fill('dialog#login input[name="token"]', 'wrong-token-wrong-token');
    await page.press('dialog#login input[name="token"]', 'Enter');
    await page.waitForSelector('dialog#login .login-message:text("not accepted")');
    await page.fill('dialog#login input[name="token"]', token);
    await page.press('dialog#login input[name="token"]', 'Enter');
    await page.waitForSelector('#feed-state[data-state="open"]');
    assert.equal(await dialog.count(), 0);
    assert.match((await page.textContent('#provider')) ?? '', /DEMO/);

    const cookies = await context.cookies();
    assert.equal(cookies.length, 1);
    assert.deepEqual(
      [cookies[0]!.name, cookies[0]!.httpOnly, cookies[0]!.sameSite, cookies[0]!.path],
      ['barnabee_session', true, 'Strict', '/'],
    );
    assert.ok(!cookies[0]!.value.includes(token));
    assert.ok(!page.url().includes(token));
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
    assert.equal(await page.evaluate(() => document.cookie), '');

    // The cookie carries the WebSocket too: a turn runs.
    await send(page, 'What time is it');
    await page.waitForSelector('article.turn[data-status="completed"]', { timeout: 30_000 });
    // A reload does not ask again.
    await page.reload();
    await page.waitForSelector('#feed-state[data-state="open"]');
    assert.equal(await page.locator('dialog#login').count(), 0);
    // 401s before sign-in are the expected ones.
    assert.deepEqual(
      problems.filter((p) => !/401/.test(p)),
      [],
    );
  });

  it('a model failure shows as an error on the turn, which still ends', async (t) => {
    const srv = await server(t, { LLM_MAX_RETRIES: '0' });
    const feed = await FeedWatcher.open(t, srv.url);
    srv.runtime.simulator!.enqueue({ fault: { kind: 'status', status: 400, message: 'model says no' } });
    const { page, problems } = await open(t, srv.url);
    await send(page, 'Tell me a story about failure');
    const { locator, id } = await card(page, 'Tell me a story about failure');
    const end = await endOf(feed, id);
    const errors = feed.turn(id).filter((e) => e.type === 'error');
    assert.ok(errors.length > 0);
    await page.waitForSelector(`article.turn[data-turn-id="${id}"][data-status="${end.status}"]`);
    const shown = await locator.locator('.errors li').evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), e.textContent]));
    assert.deepEqual(
      shown,
      errors.map((e) => (e.type === 'error' ? [e.code, `${e.code} ${e.message}`] : [])),
    );
    assert.equal(await locator.locator('.turn-answer').textContent(), end.text);
    assert.deepEqual(problems, []);
  });

  it('a message the server refuses is explained, and the page is ready for the next one', async (t) => {
    const srv = await server(t, { MAX_INPUT_CHARS: '20' });
    const { page, problems } = await open(t, srv.url);
    await send(page, 'This message is longer than twenty characters');
    await page.waitForSelector('#talk-status:text("at most 20 characters")');
    assert.equal(await page.isDisabled('#stop'), true);
    assert.equal(await page.locator('article.turn').count(), 0);
    await send(page, 'What time is it');
    await page.waitForSelector('article.turn[data-status="completed"]', { timeout: 30_000 });
    assert.deepEqual(problems, []);
  });

  it('metrics and status views; phone-sized and dark', async (t) => {
    const srv = await server(t);
    const sim = srv.runtime.simulator!;
    const { page, problems } = await open(t, srv.url, { width: 390, height: 844, colorScheme: 'dark' });
    sim.enqueue({ text: 'Otters are members of the weasel family.', ttftMs: 40, tokensPerSecond: 200 });
    await send(page, 'Tell me about otters');
    await page.waitForSelector('article.turn[data-status="completed"]', { timeout: 30_000 });
    await send(page, 'What time is it');
    await page.waitForFunction(() => document.querySelectorAll('article.turn[data-status="completed"]').length === 2, null, { timeout: 30_000 });
    await screenshot(page, 'dashboard-phone-dark', true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);

    await page.click('#tab-metrics');
    await page.waitForSelector('#chart-total canvas');
    // The server's snapshot (every 500 ms here) reaches the tiles.
    await page.waitForFunction(() => document.querySelector('[data-tile="turns"] .tile-value')?.textContent === '2', null, { timeout: 10_000 });
    const perAgent = await page.locator('.agent-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-agent'), r.querySelector('td')?.textContent]),
    );
    assert.deepEqual(perAgent, [
      ['instant', '1'],
      ['action', '0'],
      ['interaction', '1'],
    ]);
    await screenshot(page, 'dashboard-metrics-phone-dark', true);

    await page.click('#tab-status');
    assert.match((await page.textContent('#status [data-status="demo"]')) ?? '', /DEMO/);
    assert.equal(await page.textContent('#status [data-status="tts-engine"]'), 'flite');
    assert.equal(await page.textContent('#status [data-status="home"]'), 'simulated');
    assert.match((await page.textContent('#provider')) ?? '', /DEMO/);
    await screenshot(page, 'dashboard-status-phone-dark');
    assert.deepEqual(problems, []);
  });

  it('the live view with a few turns (README screenshot)', async (t) => {
    const srv = await server(t);
    const sim = srv.runtime.simulator!;
    const { page, problems } = await open(t, srv.url, { width: 1100, height: 1000 });
    await page.check('#speak');
    sim.enqueue({ text: 'Otters hold hands while they sleep so they do not drift apart. Some even keep a favourite stone in a pouch under their arm.', ttftMs: 80, tokensPerSecond: 200 });
    await send(page, 'Tell me something nice about otters');
    await page.waitForSelector('article.turn[data-status="completed"]', { timeout: 30_000 });
    await send(page, 'Turn on the kitchen light');
    await page.waitForFunction(() => document.querySelectorAll('article.turn[data-status="completed"]').length === 2, null, { timeout: 30_000 });
    await send(page, 'What time is it');
    await page.waitForFunction(() => document.querySelectorAll('article.turn[data-status="completed"]').length === 3, null, { timeout: 30_000 });
    // Long and slow enough (about 40 s) to still be running when Stop is clicked, however busy the
    // machine: Stop after the turn has ended would only silence the browser.
    const moon =
      'The moon is slowly drifting away from the Earth, about four centimetres every year, which is roughly as fast as your fingernails grow. ' +
      'Long ago it was much closer, and the tides it raised were far higher than any we see today. In a few billion years a day will be longer too. ';
    sim.enqueue({ text: moon.repeat(3).trim(), ttftMs: 80, tokensPerSecond: 5 });
    await send(page, 'Tell me a fact about the moon');
    await page.waitForFunction(() => (document.querySelector('article.turn .turn-answer')?.textContent?.length ?? 0) > 60);
    await page.locator('article.turn[data-status="running"] .segment[data-state="playing"]').waitFor({ timeout: 15_000 });
    const path = await screenshot(page, 'dashboard-live');
    if (process.env.UPDATE_DOCS_SCREENSHOT) {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      copyFileSync(path, join(ROOT, 'docs', 'dashboard.png'));
    }
    await page.click('#stop');
    await page.waitForSelector('article.turn[data-status="cancelled"]');
    // Stop silences the browser too: nothing is left playing.
    await page.waitForFunction(() => document.querySelectorAll('.segment[data-state="playing"]').length === 0);
    assert.deepEqual(problems, []);
  });
});
