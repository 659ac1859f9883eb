/** Areas said by their aliases (Home Assistant's area registry), as Assist understands them. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { indexHome, resolveTarget } from '../../src/agents/action-resolve.js';
import type { HomeEntity } from '../../src/agents/home/index.js';

const light = (id: string, name: string, area: string, area_aliases?: string[]): HomeEntity => ({
  entity_id: id,
  state: 'off',
  attributes: { friendly_name: name, area, ...(area_aliases ? { area_aliases } : {}) },
});

describe('resolveTarget: area aliases', () => {
  const index = indexHome([
    light('light.sofa', 'Sofa Lamp', 'Living Room', ['Lounge', 'Den', 'front room']),
    light('light.ceiling', 'Ceiling', 'Living Room', ['Lounge', 'Den', 'front room']),
    light('light.desk', 'Desk Lamp', 'Den'),
  ]);
  const ids = (phrase: string) => {
    const r = resolveTarget(index, phrase, { domains: ['light'] });
    return r.ok ? { ids: r.entities.map((e) => e.entity_id).sort(), area: r.area } : r;
  };

  it('an alias names its area, one word or several', () => {
    assert.deepEqual(ids('the lights in the lounge'), { ids: ['light.ceiling', 'light.sofa'], area: 'living room' });
    assert.deepEqual(ids('the front room lights'), { ids: ['light.ceiling', 'light.sofa'], area: 'living room' });
  });

  it("an area's own name wins over another area's alias", () => {
    assert.deepEqual(ids('the den lights'), { ids: ['light.desk'], area: 'den' });
  });

  it('the words of an alias are known to typo correction', () => {
    assert.ok(index.vocabulary.has('lounge'));
  });
});
