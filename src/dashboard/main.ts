/** The dashboard page: wires the feed, the talk socket, the audio player and the four views. */
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { getJson } from './api.js';
import { $, setAttrs } from './dom.js';
import { HistoryView } from './history-view.js';
import { LiveView } from './live-view.js';
import { MetricsView } from './metrics-view.js';
import { PcmPlayer } from './player.js';
import { logout } from './session.js';
import { LiveSocket } from './socket.js';
import { renderStatus } from './status-view.js';
import { TalkClient } from './talk.js';
import { parseFeedMessage, type Status, type TurnPage } from './wire.js';

type Tab = 'live' | 'history' | 'metrics' | 'status';
const TABS: Tab[] = ['live', 'history', 'metrics', 'status'];

const player = new PcmPlayer();
const metrics = new MetricsView();
const historyView = new HistoryView();
const live = new LiveView(
  () => player.nowPlaying(),
  (turnId) => {
    const t = live.get(turnId);
    if (t?.end) metrics.addTurn(turnId, t.route?.agent ?? null, t.end.metrics, Date.now());
  },
);

// ---- tabs ----------------------------------------------------------------------------------------
function showTab(tab: Tab): void {
  for (const t of TABS) {
    setAttrs($(`#tab-${t}`), { 'aria-selected': String(t === tab) });
    $(`#view-${t}`).hidden = t !== tab;
  }
  if (tab === 'metrics') metrics.show();
  else metrics.hide();
  if (tab === 'history') void historyView.refresh();
  if (location.hash.slice(1) !== tab) setHash(tab);
}
function setHash(tab: Tab): void {
  window.history.replaceState(null, '', tab === 'live' ? location.pathname : `#${tab}`);
}
for (const t of TABS) $(`#tab-${t}`).addEventListener('click', () => showTab(t));
const fromHash = (): Tab => (TABS as string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : 'live';
window.addEventListener('hashchange', () => showTab(fromHash()));

// ---- talk ----------------------------------------------------------------------------------------
const form = $('#talk') as HTMLFormElement;
const input = $('#talk-input') as HTMLInputElement;
const speak = $('#speak') as HTMLInputElement;
const stop = $('#stop') as HTMLButtonElement;
const talkStatus = $('#talk-status');

const talk = new TalkClient(player, {
  onEvent: (ev) => live.apply(ev),
  onOwnTurn: (id) => live.claim(id),
  onBusy: (busy) => {
    stop.disabled = !busy;
  },
  onState: (state) => {
    if (state === 'closed') talkStatus.textContent = 'Disconnected; reconnecting on the next message.';
    if (state === 'open') talkStatus.textContent = '';
  },
  onProblem: (message) => {
    talkStatus.textContent = message;
  },
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  talkStatus.textContent = '';
  void talk.send(text);
});
stop.addEventListener('click', () => talk.cancel());
speak.addEventListener('change', () => talk.setSpeak(speak.checked));
$('#new-conversation').addEventListener('click', () => {
  talk.newConversation();
  talkStatus.textContent = 'New conversation: the next message starts fresh.';
  input.focus();
});

// The playing highlight and the audio readout follow the audio clock, not the events.
setInterval(() => {
  live.tick();
  if (speak.checked && player.chunks > 0) {
    const q = player.queued();
    setAttrs(speak.parentElement!, {
      'data-chunks': player.chunks,
      'data-underruns': player.underruns,
      title: `${player.chunks} chunks played or queued (${player.seconds.toFixed(1)} s), ${q.toFixed(1)} s ahead, ${player.underruns} underruns`,
    });
  }
}, 100);

// ---- feed ----------------------------------------------------------------------------------------
const feedState = $('#feed-state');
const feed = new LiveSocket('/api/v1/ws/dashboard', {
  onText: (text) => {
    const msg = parseFeedMessage(text);
    if (!msg) return;
    if (msg.type === 'metrics') metrics.setSnapshot(msg);
    else live.apply(msg);
  },
  onState: (state) => {
    feedState.dataset.state = state;
    feedState.textContent = state === 'open' ? 'live' : state === 'connecting' ? 'connecting' : 'offline';
  },
});

$('#sign-out').addEventListener('click', async () => {
  await logout();
  location.reload();
});

// ---- start ---------------------------------------------------------------------------------------
async function start(): Promise<void> {
  showTab(fromHash());
  // Signs in first when the server asks for a token, so the sockets open with the cookie.
  const status = await getJson<Status>('/api/v1/status');
  renderStatus(status);
  feed.start();
  input.focus();
  try {
    const page = await getJson<TurnPage>('/api/v1/turns?limit=100');
    for (const t of page.turns.reverse()) {
      const ended = new Date(t.created_at).getTime() + (t.metrics?.total_ms ?? 0);
      metrics.addTurn(t.turn_id, t.agent, t.metrics, ended);
    }
  } catch {
    // Charts start empty; the live feed fills them.
  }
}

start().catch((err: unknown) => {
  talkStatus.textContent = `Could not reach the server: ${(err as Error).message}`;
});
