/**
 * The Live view: every turn of every client, newest first, updated as events arrive. Events are
 * folded into the model at once; the DOM catches up at most once per frame, so a fast stream of
 * chunks costs one layout per frame rather than one per chunk.
 */
import { $ } from './dom.js';
import type { PlayTag } from './player.js';
import { TurnCard } from './turn-card.js';
import { TurnList } from './turn-model.js';
import type { TurnEvent } from './wire.js';

export class LiveView {
  private readonly turns = new TurnList(40);
  private readonly cards = new Map<string, TurnCard>();
  private readonly dirty = new Set<string>();
  private readonly mine = new Set<string>();
  private scheduled = false;
  private readonly container = $('#turns');
  private readonly empty = $('#live-empty');
  private playing: PlayTag | null = null;

  constructor(
    private readonly nowPlaying: () => PlayTag | null,
    /** Called with each turn that ended (metrics charts). */
    private readonly onTurnEnd: (turnId: string) => void,
  ) {}

  /** Marks a turn as started from this page (styled apart). */
  claim(turnId: string): void {
    this.mine.add(turnId);
    this.cards.get(turnId)?.root.setAttribute('data-mine', '');
  }

  apply(ev: TurnEvent): void {
    const turn = this.turns.apply(ev);
    if (!turn) return;
    this.dirty.add(turn.id);
    if (ev.type === 'turn.end') this.onTurnEnd(turn.id);
    this.schedule();
  }

  get(turnId: string) {
    return this.turns.get(turnId);
  }

  /** Re-render the playing highlight; called by the audio poller. */
  tick(): void {
    const now = this.nowPlaying();
    const prev = this.playing;
    if (now?.turnId === prev?.turnId && now?.segment === prev?.segment) return;
    this.playing = now;
    if (prev) this.dirty.add(prev.turnId);
    if (now) this.dirty.add(now.turnId);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Hidden tabs get no animation frames; a timer keeps the model and DOM in step there.
    if (document.visibilityState === 'visible') requestAnimationFrame(() => this.flush());
    else setTimeout(() => this.flush(), 250);
  }

  private flush(): void {
    this.scheduled = false;
    for (const id of this.dirty) {
      const turn = this.turns.get(id);
      if (!turn) continue;
      let card = this.cards.get(id);
      if (!card) {
        card = new TurnCard(id, new Date(Date.now() - turn.lastT), this.mine.has(id));
        this.cards.set(id, card);
        this.container.prepend(card.root);
      }
      card.update(turn, this.playing?.turnId === id ? this.playing.segment : null);
    }
    this.dirty.clear();
    for (const id of this.turns.prune()) {
      this.cards.get(id)?.root.remove();
      this.cards.delete(id);
      this.mine.delete(id);
    }
    this.empty.hidden = this.cards.size > 0;
  }
}
