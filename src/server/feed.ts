/**
 * The dashboard feed: every turn event of every client from the bus (audio without its bytes),
 * plus a metrics snapshot every few seconds. A watcher that cannot keep up is dropped, not buffered.
 */
import type { TurnEvent } from '../turn/index.js';
import type { MetricsSnapshot } from './metrics.js';
import type { ServerRuntime } from './types.js';

export interface Watcher {
  event(event: TurnEvent): void;
  snapshot(snapshot: MetricsSnapshot): void;
  /** Bytes queued for this watcher. */
  buffered(): number;
  drop(reason: string): void;
}

export class Feed {
  private readonly watchers = new Map<Watcher, () => void>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly bus: ServerRuntime['bus'],
    private readonly snapshot: () => MetricsSnapshot,
    private readonly limits: { bufferBytes: number; snapshotEveryMs: number },
  ) {
    this.timer = setInterval(() => {
      if (!this.watchers.size) return;
      const s = this.snapshot();
      for (const w of this.watchers.keys()) this.push(w, () => w.snapshot(s));
    }, limits.snapshotEveryMs);
    this.timer.unref();
  }

  get size(): number {
    return this.watchers.size;
  }

  private push(w: Watcher, send: () => void): void {
    if (!this.watchers.has(w)) return;
    send();
    if (w.buffered() > this.limits.bufferBytes) {
      this.remove(w);
      w.drop('client_too_slow');
    }
  }

  add(w: Watcher): () => void {
    const unsubscribe = this.bus.subscribe((event) => this.push(w, () => w.event(event)), {
      maxQueue: 10_000,
      onOverflow: () => {
        this.remove(w);
        w.drop('client_too_slow');
      },
    });
    this.watchers.set(w, unsubscribe);
    w.snapshot(this.snapshot());
    return () => this.remove(w);
  }

  remove(w: Watcher): void {
    const unsubscribe = this.watchers.get(w);
    if (!unsubscribe) return;
    this.watchers.delete(w);
    unsubscribe();
  }

  close(): void {
    clearInterval(this.timer);
    for (const [w] of this.watchers) {
      this.remove(w);
      w.drop('server_shutdown');
    }
  }
}
