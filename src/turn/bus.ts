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

/**
 * A FIFO read from a moving head index: taking the oldest is O(1) (`Array.shift()` copies the
 * whole backlog each time), and the array is compacted only once the dead prefix is most of it.
 */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T; // let it be collected
    if (this.head === this.items.length) {
      // Drained: start over rather than let the dead prefix grow.
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

class Mailbox {
  private readonly queue = new Queue<TurnEvent>();
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
      this.queue.clear();
      safely(() => this.onOverflow?.(dropped));
    }
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      // Deliver after the publisher has moved on, never inside its call; everything published
      // until then goes out in the same drain (one scheduled callback per batch, not per event).
      setImmediate(this.drain);
    }
  }

  close(): void {
    this.closed = true;
    this.queue.clear();
  }

  private readonly drain = (): void => {
    // Synchronous subscribers are fed the whole batch in one loop; only one that returns a
    // promise makes the drain wait, and it resumes where it stopped.
    while (!this.closed) {
      const event = this.queue.shift();
      if (event === undefined) break;
      let result: void | Promise<void>;
      try {
        result = this.fn(event);
      } catch {
        continue; // a subscriber's failure is its own; the feed goes on
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(this.drain, this.drain);
        return;
      }
    }
    this.draining = false;
  };
}

function streamOf(
  subscribe: (fn: Subscriber, options: SubscribeOptions) => () => void,
  options: StreamOptions,
): AsyncIterableIterator<TurnEvent> {
  const buffer = new Queue<TurnEvent>();
  let wake: (() => void) | null = null;
  let done = false;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;

  const unsubscribe = subscribe(
    (event) => {
      if (buffer.length >= maxQueue) {
        const dropped = buffer.length;
        buffer.clear();
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
    buffer.clear();
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
