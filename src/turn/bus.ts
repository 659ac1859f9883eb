/**
 * The event bus: fans every turn's events out to subscribers (dashboard feeds, metrics, other
 * observers). `publish` only appends to queues and returns; each subscriber drains its own bounded
 * queue in order, so a slow subscriber never delays the turn or anyone else. A subscriber that
 * falls `maxQueue` events behind loses its backlog and is told, rather than growing without bound.
 */
import type { TurnEvent } from './events.js';

export type Subscriber = (event: TurnEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /** Events waiting for this subscriber before its backlog is dropped. Default 1024. */
  maxQueue?: number;
  /** Called (with the number of events dropped) when the backlog is dropped. */
  onOverflow?: (dropped: number) => void;
}

export interface StreamOptions extends SubscribeOptions {
  /** Ends the iteration and unsubscribes. */
  signal?: AbortSignal;
}

export interface EventBus {
  publish(event: TurnEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(fn: Subscriber, options?: SubscribeOptions): () => void;
  /** The same feed as an async iterator (for SSE / WebSocket dashboard feeds). */
  stream(options?: StreamOptions): AsyncIterableIterator<TurnEvent>;
  readonly subscriberCount: number;
}

const DEFAULT_MAX_QUEUE = 1024;

export function createEventBus(): EventBus {
  const subscribers = new Set<Mailbox>();

  const subscribe = (fn: Subscriber, options: SubscribeOptions = {}): (() => void) => {
    const box = new Mailbox(fn, options.maxQueue ?? DEFAULT_MAX_QUEUE, options.onOverflow);
    subscribers.add(box);
    return () => {
      subscribers.delete(box);
      box.close();
    };
  };

  return {
    publish(event) {
      for (const box of subscribers) box.push(event);
    },
    subscribe,
    stream(options = {}) {
      return streamOf(subscribe, options);
    },
    get subscriberCount() {
      return subscribers.size;
    },
  };
}

class Mailbox {
  private queue: TurnEvent[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly fn: Subscriber,
    private readonly maxQueue: number,
    private readonly onOverflow?: (dropped: number) => void,
  ) {}

  push(event: TurnEvent): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueue) {
      const dropped = this.queue.length;
      this.queue = [];
      safely(() => this.onOverflow?.(dropped));
    }
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      // Deliver after the publisher has moved on, never inside its call.
      setImmediate(() => void this.drain());
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) {
        const event = this.queue.shift()!;
        try {
          const result = this.fn(event);
          if (result && typeof (result as Promise<void>).then === 'function') await result;
        } catch {
          // A subscriber's failure is its own; the feed goes on.
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

function streamOf(
  subscribe: (fn: Subscriber, options: SubscribeOptions) => () => void,
  options: StreamOptions,
): AsyncIterableIterator<TurnEvent> {
  const buffer: TurnEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;

  const unsubscribe = subscribe(
    (event) => {
      if (buffer.length >= maxQueue) {
        const dropped = buffer.length;
        buffer.length = 0;
        safely(() => options.onOverflow?.(dropped));
      }
      buffer.push(event);
      wake?.();
    },
    // The mailbox hands events straight to this buffer, so its own queue never grows.
    { maxQueue: Number.MAX_SAFE_INTEGER },
  );
  const finish = () => {
    if (done) return;
    done = true;
    unsubscribe();
    buffer.length = 0;
    wake?.();
  };
  if (options.signal?.aborted) finish();
  else options.signal?.addEventListener('abort', finish, { once: true });

  const iterator: AsyncIterableIterator<TurnEvent> = {
    async next() {
      while (!done && buffer.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (done) return { done: true, value: undefined };
      return { done: false, value: buffer.shift()! };
    },
    async return() {
      finish();
      options.signal?.removeEventListener('abort', finish);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Ignored on purpose: see the callers.
  }
}
