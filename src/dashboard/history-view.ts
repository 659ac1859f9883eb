/**
 * History: past turns and conversations from the store, searchable; a turn opens with its card,
 * waterfall and full trace, a conversation with its messages.
 */
import { getJson, withQuery } from './api.js';
import { $, append, el, replace } from './dom.js';
import { fmtMs } from './format.js';
import { TurnCard } from './turn-card.js';
import { turnFromTrace } from './turn-model.js';
import type { Conversation, ConversationSummary, EventSummary, TurnPage, TurnTrace } from './wire.js';

const PAGE = 30;

export class HistoryView {
  private readonly turns = $('#history-turns');
  private readonly conversations = $('#history-conversations');
  private readonly detail = $('#history-detail');
  private readonly status = $('#history-status');
  private readonly older = $('#history-older') as HTMLButtonElement;
  private readonly input = $('#history-q') as HTMLInputElement;
  private nextBefore: string | null = null;
  private query = '';

  constructor() {
    $('#history-search').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.search(this.input.value.trim());
    });
    this.older.addEventListener('click', () => void this.loadTurns(true));
  }

  /** Called when the tab is shown: always fresh, the store changes with every turn. */
  refresh(): Promise<void> {
    return this.search(this.query);
  }

  async search(q: string): Promise<void> {
    this.query = q;
    this.nextBefore = null;
    this.status.textContent = 'Loading…';
    try {
      await Promise.all([this.loadTurns(false), this.loadConversations()]);
      this.status.textContent = q ? `Results for “${q}”` : '';
    } catch (err) {
      this.status.textContent = `Could not load history: ${(err as Error).message}`;
    }
  }

  private async loadTurns(more: boolean): Promise<void> {
    const page = await getJson<TurnPage>(
      withQuery('/api/v1/turns', { q: this.query, limit: PAGE, before: more ? this.nextBefore : undefined }),
    );
    const items = page.turns.map((t) => this.turnItem(t));
    if (more) append(this.turns, ...items);
    else replace(this.turns, ...items);
    if (!more && items.length === 0) append(this.turns, el('li', { class: 'muted' }, this.query ? 'No matching turns.' : 'No turns yet.'));
    this.nextBefore = page.next_before;
    this.older.hidden = !page.next_before;
  }

  private async loadConversations(): Promise<void> {
    const { conversations } = await getJson<{ conversations: ConversationSummary[] }>(
      withQuery('/api/v1/conversations', { q: this.query, limit: PAGE }),
    );
    replace(this.conversations, ...conversations.map((c) => this.conversationItem(c)));
    if (conversations.length === 0) append(this.conversations, el('li', { class: 'muted' }, 'No conversations.'));
  }

  private turnItem(t: TurnTrace): HTMLElement {
    return el(
      'li',
      null,
      el(
        'button',
        {
          class: 'item',
          attrs: { type: 'button', 'data-turn-id': t.turn_id, 'data-status': t.status },
          on: { click: () => void this.openTurn(t.turn_id) },
        },
        el('span', { class: 'item-meta' }, `${when(t.created_at)} · ${t.agent ?? '—'} · ${t.status}`),
        el('span', { class: 'item-title' }, t.input),
        el('span', { class: 'item-sub' }, t.text),
      ),
    );
  }

  private conversationItem(c: ConversationSummary): HTMLElement {
    return el(
      'li',
      null,
      el(
        'button',
        { class: 'item', attrs: { type: 'button', 'data-conversation-id': c.id }, on: { click: () => void this.openConversation(c.id) } },
        el('span', { class: 'item-meta' }, `${when(c.updated_at)} · ${c.turn_count} turn${c.turn_count === 1 ? '' : 's'}`),
        el('span', { class: 'item-title' }, c.last_input ?? c.id),
      ),
    );
  }

  async openTurn(id: string): Promise<void> {
    try {
      const trace = await getJson<TurnTrace>(`/api/v1/turns/${encodeURIComponent(id)}`);
      const card = new TurnCard(trace.turn_id, new Date(trace.created_at));
      card.update(turnFromTrace(trace));
      replace(
        this.detail,
        el('h2', null, 'Turn'),
        card.root,
        el('p', { class: 'muted' }, `turn ${trace.turn_id} · via ${trace.transport ?? 'unknown'}`),
        traceTable(trace.events),
      );
      this.detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (err) {
      replace(this.detail, el('p', { class: 'error' }, `Could not load the turn: ${(err as Error).message}`));
    }
  }

  private async openConversation(id: string): Promise<void> {
    try {
      const conv = await getJson<Conversation>(`/api/v1/conversations/${encodeURIComponent(id)}`);
      replace(
        this.detail,
        el('h2', null, 'Conversation'),
        el('p', { class: 'muted' }, `${conv.id} · started ${when(conv.created_at)}`),
        el(
          'ol',
          { class: 'messages' },
          ...conv.messages.map((m) =>
            el(
              'li',
              { class: 'message', attrs: { 'data-role': m.role } },
              el('span', { class: 'item-meta' }, `${m.role} · ${when(m.created_at)}`),
              el('button', { class: 'link', attrs: { type: 'button' }, on: { click: () => void this.openTurn(m.turn_id) } }, m.content),
            ),
          ),
        ),
      );
      this.detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (err) {
      replace(this.detail, el('p', { class: 'error' }, `Could not load the conversation: ${(err as Error).message}`));
    }
  }
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
}

const SKIP = new Set(['type', 'seq', 't_ms', 'last_seq', 'last_t_ms', 'count']);

function traceTable(events: EventSummary[]): HTMLElement {
  const rows = events.map((e) => {
    const detail = Object.entries(e)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('  ');
    const span = e.count && e.count > 1 ? `×${e.count}, until ${fmtMs(e.last_t_ms)}` : '';
    return el(
      'tr',
      { attrs: { 'data-type': e.type } },
      el('td', { class: 'num' }, fmtMs(e.t_ms)),
      el('td', { class: 'num' }, e.last_seq !== undefined ? `${e.seq}–${e.last_seq}` : e.seq),
      el('td', null, e.type),
      el('td', { class: 'trace-detail' }, span ? `${span}  ${detail}` : detail),
    );
  });
  return el(
    'div',
    { class: 'trace-wrap' },
    el(
      'table',
      { class: 'trace' },
      el('caption', null, 'Trace'),
      el('thead', null, el('tr', null, el('th', null, 't'), el('th', null, 'seq'), el('th', null, 'event'), el('th', null, 'detail'))),
      el('tbody', null, ...rows),
    ),
  );
}
