/**
 * Talking to Barnabee from the page over the WebSocket protocol: `turn.create` on Enter,
 * `turn.cancel` on Stop, and — with Speak on — the audio of the answer played as it streams.
 * Each `audio` JSON frame is followed by exactly one binary frame with its PCM.
 */
import type { PcmPlayer } from './player.js';
import { LiveSocket, type SocketState } from './socket.js';
import { parseFeedMessage, type EventOf, type TurnEvent } from './wire.js';

export interface TalkHandlers {
  onEvent(ev: TurnEvent): void;
  /** A turn this page asked for started (`turn.start` arrived). */
  onOwnTurn(turnId: string): void;
  onBusy(busy: boolean): void;
  onState(state: SocketState): void;
  /** A problem not tied to a turn (e.g. the server refused a message). */
  onProblem(message: string): void;
}

export class TalkClient {
  private readonly socket: LiveSocket;
  private pendingAudio: EventOf<'audio'> | null = null;
  /** The turn this page is running, from its `turn.start` until its `turn.end`. */
  activeTurn: string | null = null;
  conversationId: string | null = null;
  speak = false;

  constructor(
    private readonly player: PcmPlayer,
    private readonly handlers: TalkHandlers,
  ) {
    this.socket = new LiveSocket('/api/v1/ws', {
      onText: (text) => this.onText(text),
      onBinary: (data) => this.onBinary(data),
      onState: (state) => {
        handlers.onState(state);
        if (state === 'closed' && this.activeTurn) {
          // The server ends a turn whose socket dropped; so does the page.
          this.activeTurn = null;
          this.pendingAudio = null;
          handlers.onBusy(false);
        }
      },
    });
  }

  async send(text: string): Promise<void> {
    if (this.speak) this.player.unlock();
    // A new turn while one runs is a barge-in on the server; the old audio must stop here too.
    this.player.stop();
    await this.socket.ready();
    const message: Record<string, unknown> = { type: 'turn.create', text, speak: this.speak };
    if (this.conversationId) message.conversation_id = this.conversationId;
    this.socket.send(message);
    this.handlers.onBusy(true);
  }

  cancel(): void {
    // Say how much was heard, so the turn keeps only that (read before stop() forgets it).
    const played = this.activeTurn && this.speak ? this.player.playedMs(this.activeTurn) : null;
    this.player.stop();
    const message: Record<string, unknown> = { type: 'turn.cancel' };
    if (this.activeTurn) message.turn_id = this.activeTurn;
    if (this.speak) message.played_ms = played ?? 0;
    this.socket.send(message);
  }

  setSpeak(on: boolean): void {
    this.speak = on;
    if (on) this.player.unlock();
    else this.player.stop();
  }

  newConversation(): void {
    this.conversationId = null;
  }

  private onText(text: string): void {
    const msg = parseFeedMessage(text);
    if (!msg) {
      this.onOther(text);
      return;
    }
    if (msg.type === 'metrics') return;
    switch (msg.type) {
      case 'turn.start':
        this.activeTurn = msg.turn_id;
        this.conversationId = msg.conversation_id;
        this.handlers.onOwnTurn(msg.turn_id);
        break;
      case 'audio':
        this.pendingAudio = msg;
        break;
      case 'turn.end':
        if (this.activeTurn === msg.turn_id) {
          this.activeTurn = null;
          this.handlers.onBusy(false);
        }
        break;
    }
    this.handlers.onEvent(msg);
  }

  /** Frames outside any turn: an error about our message (bad input, limits) ends the wait. */
  private onOther(text: string): void {
    let v: { type?: unknown; message?: unknown; error?: { message?: unknown } };
    try {
      v = JSON.parse(text) as typeof v;
    } catch {
      return;
    }
    if (v.type !== 'error') return;
    const message = typeof v.message === 'string' ? v.message : typeof v.error?.message === 'string' ? v.error.message : 'The server refused the message.';
    if (!this.activeTurn) this.handlers.onBusy(false);
    this.handlers.onProblem(message);
  }

  private onBinary(data: ArrayBuffer): void {
    const header = this.pendingAudio;
    this.pendingAudio = null;
    if (!header || !this.speak || header.turn_id !== this.activeTurn) return;
    this.player.play(data, header.sample_rate, { turnId: header.turn_id, segment: header.segment });
  }
}
