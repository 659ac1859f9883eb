/** The agents' face: the router, the three agents and the home backends. */
export { createRouter, type RouterOptions } from './router.js';
export { homeVocabulary, watchHomeVocabulary, type HomeVocabulary } from './router-vocabulary.js';
export { createInstantAgent, type InstantAgentOptions } from './instant.js';
export { createActionAgent, type ActionAgentOptions } from './action.js';
export { createInteractionAgent, MAX_MODEL_ROUNDS, type InteractionAgentOptions } from './interaction.js';
export { createHomeControl, type HomeControl, type HomeControlOptions } from './home-control.js';
export { HOME_TOOLS } from './home-tools.js';
export * from './home/index.js';
