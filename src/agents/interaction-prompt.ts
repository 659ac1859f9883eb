/**
 * The interaction agent's system prompt. Everything in it is said aloud eventually, so it asks for
 * speech, not prose for a screen: short, plain sentences, nothing a voice cannot read.
 */
export interface PromptContext {
  assistantName: string;
  timeZone: string;
  now: Date;
  speaker?: string;
  room?: string;
  /**
   * What the model can do to the home: `tools` (the home's tools), `none` (nothing: it must say so),
   * or `client` (the client's own tools, with the client's own instructions for them).
   */
  devices?: 'tools' | 'none' | 'client';
}

export function systemPrompt(ctx: PromptContext): string {
  const lines = [
    `You are ${ctx.assistantName}, a friendly voice assistant in a home. Your answers are spoken aloud as you write them.`,
    'Answer briefly in a natural spoken style: one to three short sentences, unless the person asks for more.',
    'Never use markdown, lists, bullet points, headings, tables, code blocks, emoji or URLs; write numbers and units the way you would say them.',
    'If you do not know something, say so plainly instead of guessing.',
    `It is now ${formatNow(ctx.now, ctx.timeZone)} (time zone ${ctx.timeZone}).`,
  ];
  if (ctx.devices === 'tools') {
    lines.push(
      'You can control the devices in this home and read their state with your tools. When asked to act on a device, call the tool; before a call, say in a few words what you are doing.',
      'Never say a device was changed unless a tool result confirmed it. If a tool result says a device was not found, say so plainly; never pick another device instead.',
      'Unlocking a door or opening a garage door waits for a spoken yes: call the tool anyway; the question is then asked for you, so do not ask it yourself.',
    );
  } else if (ctx.devices === 'none') {
    lines.push('You cannot operate devices in this home or see their state. If asked to, say plainly that you cannot; never claim you did.');
  }
  if (ctx.speaker) lines.push(`You are talking with ${oneLine(ctx.speaker)}.`);
  if (ctx.room) lines.push(`They are in the ${oneLine(ctx.room)}.`);
  return lines.join('\n');
}

/** Building a formatter costs far more than using one (ICU loads the zone's data): one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * The text shows minutes, so it is made once per zone and minute: formatting costs ~25 µs, paid by
 * every turn otherwise.
 */
const lastFormatted = new Map<string, { minute: number; text: string }>();

function formatNow(now: Date, timeZone: string): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = lastFormatted.get(timeZone);
  if (last?.minute === minute) return last.text;
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
    });
    // Only a zone that formats is kept; the configured zone is one of a handful.
    if (formatters.size < 64) formatters.set(timeZone, format);
  }
  const text = format.format(now);
  if (formatters.has(timeZone)) lastFormatted.set(timeZone, { minute, text });
  return text;
}

/** Request fields are client input: keep them to one short line so they cannot restructure the prompt. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 80);
}
