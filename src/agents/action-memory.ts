/**
 * What the action agent remembers per conversation between turns: a command waiting for a yes
 * (unlocking), and the devices last talked about (so "turn it off" works). Both expire.
 *
 * A question belongs to the client that was asked (its `confirm_scope`: one WebSocket, or one
 * address for request-per-turn transports): for anyone else it does not exist, so their "yes" is
 * a new request and cannot answer, drop or replace it (docs/protocol.md, "Confirmations").
 */
import { setBounded } from '../bounded-map.js';
import type { ServiceCall } from './action-plan.js';
import { normalizeWords } from './text/normalize.js';
import { assistantNames } from './text/names.js';

export interface Pending {
  calls: ServiceCall[];
  /** What was asked, e.g. "unlock the front door". */
  what: string;
  expiresAt: number;
}

const MAX_CONVERSATIONS = 1000;

export class ConversationMemory {
  private readonly pending = new Map<string, Pending>();
  private readonly recent = new Map<string, { ids: string[]; expiresAt: number }>();

  constructor(
    private readonly confirmTtlMs: number,
    private readonly now: () => number,
    private readonly recentTtlMs = 10 * 60_000,
  ) {}

  ask(conversationId: string, scope: string, calls: ServiceCall[], what: string): void {
    setBounded(this.pending, questionKey(conversationId, scope), { calls, what, expiresAt: this.now() + this.confirmTtlMs }, MAX_CONVERSATIONS);
  }

  /** The live question this client was asked in this conversation, if any; an expired one is forgotten. */
  peek(conversationId: string, scope: string | undefined): Pending | undefined {
    if (scope === undefined) return undefined;
    const key = questionKey(conversationId, scope);
    const p = this.pending.get(key);
    if (p && p.expiresAt <= this.now()) this.pending.delete(key);
    return p && p.expiresAt > this.now() ? p : undefined;
  }

  take(conversationId: string, scope: string | undefined): Pending | undefined {
    const p = this.peek(conversationId, scope);
    this.drop(conversationId, scope);
    return p;
  }

  drop(conversationId: string, scope: string | undefined): void {
    if (scope !== undefined) this.pending.delete(questionKey(conversationId, scope));
  }

  setRecent(conversationId: string, ids: string[]): void {
    if (ids.length) setBounded(this.recent, conversationId, { ids, expiresAt: this.now() + this.recentTtlMs }, MAX_CONVERSATIONS);
  }

  getRecent(conversationId: string): string[] {
    const r = this.recent.get(conversationId);
    return r && r.expiresAt > this.now() ? r.ids : [];
  }
}

const questionKey = (conversationId: string, scope: string) => JSON.stringify([scope, conversationId]);

const YES = new Set(['yes', 'yeah', 'yep', 'yup', 'yea', 'sure', 'ok', 'okay', 'confirm', 'confirmed', 'correct', 'affirmative', 'absolutely', 'certainly', 'definitely', 'please do', 'do it', 'go ahead', 'of course', 'i am sure', 'that is right']);
const NO = new Set(['no', 'nope', 'nah', 'cancel', 'do not', 'dont', 'stop', 'never mind', 'nevermind', 'negative', 'abort', 'forget it', 'not now', 'leave it', 'no way']);
// Words that may follow the answer without making it a new request ("yes please, do it").
const FILLER = new Set(['please', 'do', 'it', 'go', 'ahead', 'unlock', 'them', 'thanks', 'thank', 'you', 'i', 'am', 'sure', 'yes', 'no', 'confirm', 'that', 'is', 'right', 'absolutely', 'of', 'course', 'locked', 'leave', 'keep', 'not', 'thats', 'fine', 'cancel', 'go', 'for']);

const BARNABEE = assistantNames();

/** A yes or no answer, or null when the text is something else (a new request). */
export function yesNo(text: string, names: ReadonlySet<string> = BARNABEE): 'yes' | 'no' | null {
  const words = normalizeWords(text)
    .split(' ')
    .filter((w) => w && !names.has(w));
  if (!words.length || words.length > 8) return null;
  for (const n of [3, 2, 1]) {
    const head = words.slice(0, n).join(' ');
    const answer = YES.has(head) ? 'yes' : NO.has(head) ? 'no' : null;
    if (answer && words.slice(n).every((w) => FILLER.has(w))) return answer;
  }
  return null;
}
