import { redact as scrub } from '../redact.js';

/** Text for an event or a log line: secrets scrubbed, kept short. */
export const redact = (text: string, maxLength = 300): string => scrub(text, [], maxLength);
