/**
 * One turn as a card: the input, the route, the answer growing chunk by chunk, the speech segments
 * (the one being spoken highlighted), actions, errors, usage, and — once it ends — the waterfall.
 * Built once, then updated in place as events arrive. Everything from the server is set as text.
 */
import { el, replace, setAttrs, setText } from './dom.js';
import { fmtConfidence, fmtCost, fmtInt } from './format.js';
import type { TurnView } from './turn-model.js';
import { waterfallView } from './waterfall-view.js';

export class TurnCard {
  readonly root: HTMLElement;
  private readonly time = el('time', { class: 'turn-time' });
  private readonly input = el('p', { class: 'turn-input' });
  private readonly route = el('span', { class: 'turn-route' });
  private readonly status = el('span', { class: 'turn-status' });
  private readonly thinkingText = el('p', { class: 'turn-thinking-text' });
  /** The model's thinking, above the answer: open while it thinks, collapsed once the answer starts. */
  private readonly thinking = el('details', { class: 'turn-thinking', attrs: { hidden: true } }, el('summary', null, 'Thinking'), this.thinkingText) as HTMLDetailsElement;
  private readonly answer = el('p', { class: 'turn-answer' });
  private readonly segments = el('ol', { class: 'segments', attrs: { 'aria-label': 'Speech segments' } });
  private readonly actions = el('ul', { class: 'actions' });
  private readonly errors = el('ul', { class: 'errors' });
  private readonly footer = el('p', { class: 'turn-footer' });
  private readonly waterfall = el('div', { class: 'turn-waterfall' });
  private rendered = { actions: -1, errors: -1, ended: false, thinking: 'none' as 'none' | 'open' | 'collapsed' };

  constructor(turnId: string, startedAt: Date, mine = false) {
    this.time.dateTime = startedAt.toISOString();
    this.time.textContent = startedAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    this.root = el(
      'article',
      { class: 'turn', attrs: { 'data-turn-id': turnId, 'data-status': 'running', 'data-mine': mine || null } },
      el('header', { class: 'turn-head' }, this.time, this.route, this.status),
      this.input,
      this.thinking,
      this.answer,
      this.segments,
      this.actions,
      this.errors,
      this.waterfall,
      this.footer,
    );
  }

  /** `playingSegment`: the segment audible in this browser right now, if it belongs to this turn. */
  update(turn: TurnView, playingSegment: number | null = null): void {
    const status = turn.end?.status ?? 'running';
    setAttrs(this.root, { 'data-status': status, 'data-agent': turn.route?.agent ?? null });
    setText(this.status, status);
    setText(this.input, turn.input ?? (turn.joinedLate ? '(joined mid-turn)' : ''));
    if (turn.route) {
      const r = turn.route;
      if (this.route.childElementCount === 0) {
        replace(
          this.route,
          el('span', { class: 'agent', attrs: { 'data-agent': r.agent } }, r.agent),
          el('span', { class: 'intent' }, r.intent),
          el('span', { class: 'confidence', attrs: { title: 'router confidence' } }, fmtConfidence(r.confidence)),
        );
      }
    }

    if (turn.thinking) {
      setText(this.thinkingText, turn.thinking);
      // Opened when thinking starts and collapsed once when the answer starts; the user's own toggle stands after that.
      if (this.rendered.thinking === 'none') {
        this.thinking.hidden = false;
        this.thinking.open = true;
        this.rendered.thinking = 'open';
      }
      if (this.rendered.thinking === 'open' && turn.text) {
        this.thinking.open = false;
        this.rendered.thinking = 'collapsed';
      }
      setAttrs(this.thinking, { 'data-streaming': !turn.text && !turn.end });
    }
    setText(this.answer, turn.text);
    setAttrs(this.answer, { 'data-chunks': turn.chunks, 'data-streaming': !turn.end && !turn.textDone });

    this.renderSegments(turn, playingSegment);
    if (turn.actions.length !== this.rendered.actions) {
      replace(
        this.actions,
        ...turn.actions.map((a) =>
          el(
            'li',
            { class: 'action', attrs: { 'data-ok': a.ok } },
            el('span', { class: 'action-mark' }, a.ok ? '✓' : '✗'),
            ` ${a.service} → ${a.target}`,
            a.detail ? el('span', { class: 'muted' }, ` ${a.detail}`) : null,
          ),
        ),
      );
      this.rendered.actions = turn.actions.length;
    }
    if (turn.errors.length !== this.rendered.errors) {
      replace(
        this.errors,
        ...turn.errors.map((e) =>
          el('li', { class: 'error', attrs: { 'data-code': e.code } }, el('strong', null, e.code), ` ${e.message}`),
        ),
      );
      this.rendered.errors = turn.errors.length;
    }
    if (turn.end?.metrics && !this.rendered.ended) {
      replace(this.waterfall, waterfallView(turn.end.metrics));
      this.rendered.ended = true;
    }
    const foot: string[] = [];
    if (turn.usage) {
      const u = turn.usage;
      foot.push(`${u.model} · ${fmtInt(u.prompt_tokens)} + ${fmtInt(u.completion_tokens)} tokens · ${fmtCost(u.cost_usd)}`);
    }
    if (turn.audioChunks) foot.push(`${turn.audioChunks} audio chunks @ ${turn.sampleRate} Hz`);
    if (turn.conversation_id) foot.push(`conversation ${turn.conversation_id}`);
    setText(this.footer, foot.join(' · '));
  }

  private renderSegments(turn: TurnView, playing: number | null): void {
    const items = turn.segments.map((s) => {
      const state = playing === s.index ? 'playing' : s.state;
      return el('li', { class: 'segment', attrs: { 'data-segment': s.index, 'data-state': state } }, s.text);
    });
    // Reuse the list when only states changed: rebuilding on every event would flicker.
    if (this.segments.children.length === items.length) {
      items.forEach((item, i) => {
        const cur = this.segments.children[i]!;
        setAttrs(cur, { 'data-state': item.getAttribute('data-state') });
        setText(cur, item.textContent ?? '');
      });
    } else {
      replace(this.segments, ...items);
    }
  }
}
