/**
 * Login when the server has an API token: ask once, POST it to /api/v1/session, and from then on
 * the HttpOnly cookie authenticates every request and WebSocket. The token is never stored by the
 * page (no URL, no localStorage); it lives only in the input until the POST is sent.
 */
import { el } from './dom.js';

let pending: Promise<void> | null = null;

/** Resolves once the server accepts a token. Concurrent callers share one prompt. */
export function ensureSession(): Promise<void> {
  pending ??= prompt().finally(() => {
    pending = null;
  });
  return pending;
}

export async function logout(): Promise<void> {
  await fetch('/api/v1/session', { method: 'DELETE', credentials: 'same-origin' });
}

function prompt(): Promise<void> {
  return new Promise((resolve) => {
    const input = el('input', {
      attrs: { type: 'password', name: 'token', autocomplete: 'current-password', required: true, placeholder: 'API token', 'aria-label': 'API token' },
    });
    const message = el('p', { class: 'login-message', attrs: { role: 'status' } });
    const submit = el('button', { attrs: { type: 'submit' } }, 'Sign in');
    const form = el(
      'form',
      { class: 'login', attrs: { method: 'dialog' } },
      el('h2', null, 'Barnabee'),
      el('p', null, 'This server needs its API token (BARNABEE_API_TOKEN).'),
      input,
      submit,
      message,
    );
    const dialog = el('dialog', { class: 'login-dialog', attrs: { id: 'login' } }, form);
    // Closing the dialog with Escape would leave the page without a way to sign in.
    dialog.addEventListener('cancel', (ev) => ev.preventDefault());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      message.textContent = '';
      try {
        const res = await fetch('/api/v1/session', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: input.value }),
        });
        if (res.ok) {
          input.value = '';
          dialog.close();
          dialog.remove();
          resolve();
          return;
        }
        message.textContent = res.status === 401 ? 'That token was not accepted.' : `Sign-in failed (HTTP ${res.status}).`;
      } catch {
        message.textContent = 'The server could not be reached.';
      } finally {
        submit.disabled = false;
      }
      input.select();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
}
