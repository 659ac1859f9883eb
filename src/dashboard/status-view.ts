/** Status: who answers (DEMO said plainly), which voice, which home, which version. */
import { $, el, replace, setAttrs } from './dom.js';
import type { Status } from './wire.js';

const PROVIDERS: Record<string, string> = {
  openrouter: 'OpenRouter',
  'openai-compatible': 'OpenAI-compatible server',
  demo: 'DEMO — simulated model',
};

export function renderStatus(s: Status): void {
  const badge = $('#provider');
  badge.textContent = s.demo ? 'DEMO · simulated' : `${PROVIDERS[s.provider] ?? s.provider} · ${s.model}`;
  setAttrs(badge, { 'data-demo': s.demo, title: s.demo ? 'No model is configured: a built-in simulator answers.' : null });

  const row = (term: string, value: string, key: string) => [
    el('dt', null, term),
    el('dd', { attrs: { 'data-status': key } }, value),
  ];
  replace(
    $('#status'),
    ...row('Model provider', PROVIDERS[s.provider] ?? s.provider, 'provider'),
    ...(s.demo
      ? row('Answers', 'DEMO: simulated by the built-in model server. Set OPENROUTER_API_KEY or LLM_BASE_URL for a real model.', 'demo')
      : []),
    ...row('Model', s.model, 'model'),
    ...row('Text-to-speech', s.tts ? s.tts.engine : 'off', 'tts-engine'),
    ...row('Voice', s.tts ? s.tts.voice : '—', 'tts-voice'),
    ...row('Home', s.home, 'home'),
    ...row('Version', s.version, 'version'),
  );
  $('#sign-out').hidden = !s.auth;
}
