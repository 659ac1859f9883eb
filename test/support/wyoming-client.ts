/**
 * A Wyoming client for tests, written from the protocol description (not with Barnabee's codec, so
 * the two check each other): each event is a JSON header line; `data_length` bytes of JSON data
 * (merged over the header's `data`) and `payload_length` bytes of payload follow it. By default data
 * travels in its own block, as the Python `wyoming` package sends it; `inline` puts it in the header.
 */
import { connect, type Socket } from 'node:net';

export interface WyEvent {
  type: string;
  data: Record<string, any>;
  payload?: Buffer;
}

export function frame(type: string, data?: Record<string, unknown>, options: { inline?: boolean; payload?: Buffer } = {}): Buffer {
  const header: Record<string, unknown> = { type, version: '1.9.0' };
  let block = Buffer.alloc(0);
  if (data && options.inline) header.data = data;
  else if (data) {
    block = Buffer.from(JSON.stringify(data), 'utf8');
    header.data_length = block.length;
  }
  if (options.payload) header.payload_length = options.payload.length;
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), block, options.payload ?? Buffer.alloc(0)]);
}

export class WyomingTestClient {
  readonly events: WyEvent[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private need: { type: string; data: Record<string, any>; dataLength: number; payloadLength: number } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<WyomingTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => resolve(new WyomingTestClient(socket)));
      socket.once('error', reject);
    });
  }

  private read(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (!this.need) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) break;
        const header = JSON.parse(this.buf.subarray(0, nl).toString('utf8'));
        this.buf = this.buf.subarray(nl + 1);
        this.need = { type: header.type, data: header.data ?? {}, dataLength: header.data_length ?? 0, payloadLength: header.payload_length ?? 0 };
      }
      const { type, data, dataLength, payloadLength } = this.need;
      if (this.buf.length < dataLength + payloadLength) break;
      const merged = dataLength ? { ...data, ...JSON.parse(this.buf.subarray(0, dataLength).toString('utf8')) } : data;
      const payload = payloadLength ? Buffer.from(this.buf.subarray(dataLength, dataLength + payloadLength)) : undefined;
      this.buf = this.buf.subarray(dataLength + payloadLength);
      this.need = null;
      this.events.push({ type, data: merged, ...(payload ? { payload } : {}) });
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(type: string, data?: Record<string, unknown>, options?: { inline?: boolean; payload?: Buffer }): void {
    this.socket.write(frame(type, data, options));
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Waits until `pred` holds over the events received so far (or the connection closes). */
  async waitFor(pred: (events: WyEvent[]) => boolean, what = 'events', timeoutMs = 20_000): Promise<WyEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.events)) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.types())}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.types())}`);
      await this.news(left);
    }
    return this.events;
  }

  /** Resolves at the next event or close, or after `ms`. */
  private news(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  waitForType(type: string, timeoutMs?: number): Promise<WyEvent> {
    return this.waitFor((es) => es.some((e) => e.type === type), type, timeoutMs).then((es) => es.find((e) => e.type === type)!);
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the server to close');
      await this.news(left);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
