/** The demo model's use of tools: arguments from the user's words by schema, what it says before and after. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerFromResults, demoToolCalls, sayBeforeCalls, toolsOffered } from '../../../src/llm/simulator/demo-tools.js';
import { HA_TOOLS } from '../../support/ha-ollama.js';

const str = { type: 'string' };
const list = (items: object = str) => ({ type: 'array', items });
const tool = (name: string, properties: Record<string, unknown> = {}) => ({ type: 'function', function: { name, parameters: { type: 'object', properties } } });
const tools = toolsOffered([
  tool('HassTurnOn', { name: str, area: str, domain: list(), device_class: list({ type: 'string', enum: ['tv', 'outlet', 'garage', 'window'] }) }),
  tool('HassTurnOff', { name: str, area: str, domain: list(), device_class: list() }),
  tool('HassLightSet', { name: str, area: str, brightness: { type: 'integer', minimum: 0, maximum: 100 }, color: str }),
  tool('HassClimateSetTemperature', { name: str, area: str, temperature: { type: 'number' } }),
  tool('HassGetState', { name: str, area: str, domain: list(), state: str }),
  tool('GetLiveContext'),
]);
const calls = (text: string) => demoToolCalls(text, tools).map((c) => [c.name, c.arguments]);

describe('demo tool calls', () => {
  it('fills name, area, domain and numbers from the words, by property name', () => {
    assert.deepEqual(calls('turn on the porch light'), [['HassTurnOn', { name: 'porch light' }]]);
    assert.deepEqual(calls('set the bedroom lights to 40 percent'), [['HassLightSet', { area: 'bedroom', brightness: 40 }]]);
    assert.deepEqual(calls('please turn off the lights in the kitchen'), [['HassTurnOff', { domain: ['light'], area: 'kitchen' }]]);
    assert.deepEqual(calls('turn the porch light on'), [['HassTurnOn', { name: 'porch light' }]]);
    assert.deepEqual(calls('set the thermostat to 21.5 degrees'), [['HassClimateSetTemperature', { temperature: 21.5, name: 'thermostat' }]]);
    assert.deepEqual(calls('dim the living room lamp to 30%'), [['HassLightSet', { brightness: 30, name: 'living room lamp' }]]);
    assert.deepEqual(calls('set the office light to blue'), [['HassLightSet', { color: 'blue', name: 'office light' }]]);
    assert.deepEqual(calls("what's the state of the front door"), [['HassGetState', { name: 'front door' }]]);
    assert.deepEqual(calls('turn on the tv'), [['HassTurnOn', { device_class: ['tv'] }]], 'an enum value is used as given');
    assert.deepEqual(calls('turn off the bedroom'), [['HassTurnOff', { area: 'bedroom' }]]);
  });

  it('reads numbers as said or written: words ("forty percent"), decimal commas, "point five"', () => {
    assert.deepEqual(calls('set the lights to forty percent'), [['HassLightSet', { brightness: 40 }]]);
    assert.deepEqual(calls('set the bedroom lights to twenty-five percent'), [['HassLightSet', { area: 'bedroom', brightness: 25 }]]);
    assert.deepEqual(calls('dim the desk lamp to one hundred percent'), [['HassLightSet', { brightness: 100, name: 'desk lamp' }]]);
    assert.deepEqual(calls('set the thermostat to twenty one point five degrees'), [['HassClimateSetTemperature', { temperature: 21.5, name: 'thermostat' }]]);
    assert.deepEqual(calls('set the thermostat to 21,5 degrees'), [['HassClimateSetTemperature', { temperature: 21.5, name: 'thermostat' }]]);
    assert.deepEqual(calls('set the thermostat to nineteen and a half degrees'), [['HassClimateSetTemperature', { temperature: 19.5, name: 'thermostat' }]]);
    assert.equal(sayBeforeCalls(demoToolCalls('set the bedroom lights to forty percent', tools), tools), 'Sure, setting the bedroom lights to 40 percent.');
    // A number word that is a name stays a name where the rules keep it one ("the other one").
    assert.deepEqual(calls('turn on the other one'), [['HassTurnOn', { name: 'other one' }]]);
  });

  it('commands joined by "and" are separate calls; a clause that starts with its target repeats the verb', () => {
    assert.deepEqual(calls('turn on the porch light and the hallway light'), [
      ['HassTurnOn', { name: 'porch light' }],
      ['HassTurnOn', { name: 'hallway light' }],
    ]);
    assert.deepEqual(calls('turn on the porch light, the hallway light'), [
      ['HassTurnOn', { name: 'porch light' }],
      ['HassTurnOn', { name: 'hallway light' }],
    ]);
    assert.deepEqual(calls('turn on the christmas tree and set the bedroom lights to 20% then lock the front door'), [
      ['HassTurnOn', { name: 'christmas tree' }],
      ['HassLightSet', { brightness: 20, area: 'bedroom' }],
    ]);
  });

  it("with Home Assistant's own schemas (domain and device class as enum lists), a named device keeps only its domain", () => {
    const ha = toolsOffered(HA_TOOLS);
    const haCalls = (text: string) => demoToolCalls(text, ha).map((c) => [c.name, c.arguments]);
    assert.deepEqual(haCalls('turn on the porch light'), [['HassTurnOn', { domain: ['light'], name: 'porch light' }]]);
    assert.deepEqual(haCalls('turn on the kitchen lights'), [['HassTurnOn', { domain: ['light'], area: 'kitchen' }]]);
    assert.deepEqual(haCalls('turn off the front door'), [['HassTurnOff', { name: 'front door' }]], 'no device class guessed from a name');
  });

  it('calls nothing when no tool is named', () => {
    for (const text of ['tell me a joke', 'is it a good idea to leave the lights on when I travel?', 'what is the weather and how are you']) {
      assert.deepEqual(calls(text), [], text);
    }
  });

  it('says what it is doing before the calls, and one sentence from the results after', () => {
    assert.equal(sayBeforeCalls(demoToolCalls('turn on the porch light and set the bedroom lights to 40%', tools), tools), 'Sure, turning on the porch light and setting the bedroom lights to 40 percent.');
    assert.equal(sayBeforeCalls([{ name: 'unknown_tool', arguments: {} }], tools), 'Sure, one moment.');
    assert.equal(answerFromResults(['{"speech":{"plain":{"speech":"Turned on the light"}},"response_type":"action_done"}']), 'Turned on the light.');
    assert.equal(answerFromResults(['{"success":true}', '{"error":{"message":"Device not found"}}']), "Sorry, that didn't work: device not found.");
    assert.equal(answerFromResults(['{"success":[{"name":"Porch Light"}]}', '{"name":"Bedroom Light","state":"on"}']), 'Done: Porch Light, and Bedroom Light is now on.');
    assert.equal(answerFromResults(['Turned on a.', 'Turned off b.']), 'Turned on a, and turned off b.');
    assert.equal(answerFromResults(['{}']), 'Done.');
    // Home Assistant's shape: {"data": <intent response>, "error": …}.
    const ha = (data: unknown, error: unknown = null) => JSON.stringify({ data, error });
    assert.equal(answerFromResults([ha({ response_type: 'action_done', data: { targets: [], success: [{ name: 'Kitchen Light', type: 'entity' }], failed: [] } })]), 'Done: Kitchen Light.');
    assert.equal(answerFromResults([ha({ response_type: 'action_done', data: { success: [], failed: [{ name: 'Porch Light' }] } })]), "Sorry, that didn't work: Porch Light failed.");
    assert.equal(answerFromResults([ha(null, 'No device named dishwasher')]), "Sorry, that didn't work: no device named dishwasher.");
  });
});
