/** Newline-delimited JSON: one turn event a line, audio as base64 `data`. */
import { toWire, type TurnEvent } from '../../turn/index.js';

export const ndjsonLine = (event: TurnEvent): string => `${JSON.stringify(toWire(event))}\n`;
export const NDJSON_TYPE = 'application/x-ndjson; charset=utf-8';
