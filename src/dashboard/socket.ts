/**
 * A WebSocket to this server that comes back after a restart or a network blip. Text frames are
 * JSON messages; binary frames (audio PCM) are handed over as ArrayBuffers. A socket refused at
 * the handshake may mean "not signed in": the browser cannot see the 401, so the page asks the
 * status endpoint and signs in before trying again.
 */
import { PAGE_HEADERS } from './api.js';
import { ensureSession } from './session.js';

export type SocketState = 'connecting' | 'open' | 'closed';

export interface SocketHandlers {
  onText(text: string): void;
  onBinary?(data: ArrayBuffer): void;
  onState?(state: SocketState): void;
}

const MIN_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

export class LiveSocket {
  private ws: WebSocket | null = null;
  private delay = MIN_DELAY_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly handlers: SocketHandlers,
  ) {}

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    if (!this.ws) this.connect();
  }

  /** Resolves when the socket is open (starting it if needed). */
  ready(): Promise<void> {
    if (this.open) return Promise.resolve();
    this.start();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(message: unknown): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${this.path}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let opened = false;
    this.handlers.onState?.('connecting');
    ws.onopen = () => {
      opened = true;
      this.delay = MIN_DELAY_MS;
      this.handlers.onState?.('open');
      for (const w of this.waiters.splice(0)) w();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.handlers.onText(ev.data);
      else if (ev.data instanceof ArrayBuffer) this.handlers.onBinary?.(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onState?.('closed');
      if (!this.stopped) void this.retry(opened);
    };
  }

  private async retry(wasOpen: boolean): Promise<void> {
    if (!wasOpen) {
      try {
        const res = await fetch('/api/v1/status', { credentials: 'same-origin', headers: PAGE_HEADERS });
        if (res.status === 401) await ensureSession();
      } catch {
        // Server down: back off below.
      }
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.connect(), wasOpen ? MIN_DELAY_MS : this.delay);
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
  }
}
