/**
 * Prometheus metrics and the dashboard's metrics snapshot, both fed from the event bus so every
 * turn counts once whichever transport carried it. One registry per server (tests run several).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TurnEvent } from '../turn/index.js';

const MS_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

interface AgentTotals {
  turns: number;
  errors: number;
  tokens: number;
  cost_usd: number;
}

export interface MetricsSnapshot {
  type: 'metrics';
  at: string;
  active_turns: number;
  turns_total: number;
  errors_total: number;
  tokens_total: number;
  cost_usd_total: number;
  by_agent: Record<string, AgentTotals>;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly ttft: Histogram<'agent'>;
  private readonly firstChunk: Histogram<'agent'>;
  private readonly firstAudio: Histogram<'agent'>;
  private readonly duration: Histogram<'agent' | 'status'>;
  private readonly active: Gauge;
  private readonly turns: Counter<'agent' | 'status'>;
  private readonly tokens: Counter<'kind' | 'model'>;
  private readonly cost: Counter<'model'>;
  private readonly errors: Counter<'code'>;
  private readonly agentOf = new Map<string, string>();
  private totals = { active: 0, turns: 0, errors: 0, tokens: 0, cost: 0 };
  private readonly byAgent = new Map<string, AgentTotals>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const ms = (name: string, help: string) =>
      new Histogram({ name, help, labelNames: ['agent'] as const, buckets: MS_BUCKETS, registers });
    this.ttft = ms('barnabee_ttft_ms', 'Upstream model request sent to first content token, in ms.');
    this.firstChunk = ms('barnabee_first_chunk_ms', 'Turn start to first text chunk, in ms.');
    this.firstAudio = ms('barnabee_first_audio_ms', 'Turn start to first audio, in ms.');
    this.duration = new Histogram({
      name: 'barnabee_turn_duration_ms',
      help: 'Turn start to turn.end, in ms.',
      labelNames: ['agent', 'status'] as const,
      buckets: MS_BUCKETS,
      registers,
    });
    this.active = new Gauge({ name: 'barnabee_active_turns', help: 'Turns running now.', registers });
    this.turns = new Counter({ name: 'barnabee_turns_total', help: 'Finished turns.', labelNames: ['agent', 'status'] as const, registers });
    this.tokens = new Counter({ name: 'barnabee_tokens_total', help: 'Model tokens.', labelNames: ['kind', 'model'] as const, registers });
    this.cost = new Counter({ name: 'barnabee_cost_usd_total', help: 'Model cost reported by the provider, USD.', labelNames: ['model'] as const, registers });
    this.errors = new Counter({ name: 'barnabee_errors_total', help: 'Error events by code.', labelNames: ['code'] as const, registers });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  private agentTotals(agent: string): AgentTotals {
    let t = this.byAgent.get(agent);
    if (!t) this.byAgent.set(agent, (t = { turns: 0, errors: 0, tokens: 0, cost_usd: 0 }));
    return t;
  }

  observe(event: TurnEvent): void {
    switch (event.type) {
      case 'turn.start':
        this.totals.active++;
        this.active.inc();
        this.agentOf.set(event.turn_id, 'none');
        break;
      case 'route':
        this.agentOf.set(event.turn_id, event.agent);
        break;
      case 'usage': {
        const agent = this.agentOf.get(event.turn_id) ?? 'none';
        const n = event.prompt_tokens + event.completion_tokens;
        this.tokens.inc({ kind: 'prompt', model: event.model }, event.prompt_tokens);
        this.tokens.inc({ kind: 'completion', model: event.model }, event.completion_tokens);
        this.totals.tokens += n;
        this.agentTotals(agent).tokens += n;
        if (event.cost_usd !== null) {
          this.cost.inc({ model: event.model }, event.cost_usd);
          this.totals.cost += event.cost_usd;
          this.agentTotals(agent).cost_usd += event.cost_usd;
        }
        break;
      }
      case 'error':
        this.errors.inc({ code: event.code });
        this.totals.errors++;
        this.agentTotals(this.agentOf.get(event.turn_id) ?? 'none').errors++;
        break;
      case 'turn.end': {
        const agent = this.agentOf.get(event.turn_id) ?? 'none';
        this.agentOf.delete(event.turn_id);
        this.totals.active = Math.max(0, this.totals.active - 1);
        this.active.dec();
        this.totals.turns++;
        this.agentTotals(agent).turns++;
        this.turns.inc({ agent, status: event.status });
        const m = event.metrics;
        this.duration.observe({ agent, status: event.status }, m.total_ms);
        if (typeof m.first_chunk_ms === 'number') this.firstChunk.observe({ agent }, m.first_chunk_ms);
        if (typeof m.first_audio_ms === 'number') this.firstAudio.observe({ agent }, m.first_audio_ms);
        if (typeof m.ttft_ms === 'number') this.ttft.observe({ agent }, m.ttft_ms);
        break;
      }
    }
  }

  snapshot(): MetricsSnapshot {
    return {
      type: 'metrics',
      at: new Date().toISOString(),
      active_turns: this.totals.active,
      turns_total: this.totals.turns,
      errors_total: this.totals.errors,
      tokens_total: this.totals.tokens,
      cost_usd_total: this.totals.cost,
      by_agent: Object.fromEntries(this.byAgent),
    };
  }
}
