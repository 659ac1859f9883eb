import { createRequire } from 'node:module';

// One level up from both src/ (tsx) and dist/ (built) is the package root.
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
