/** Unit conversion questions behind the instant agent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConversion, type Conversion } from '../../src/agents/words-units.js';

const conv = (text: string): Conversion => {
  const c = parseConversion(text);
  assert.ok(c && !('error' in c), `converts: ${text}`);
  return c;
};
const near = (got: number, want: number, tol = 1e-9) =>
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${got} ≈ ${want}`);

describe('unit conversions', () => {
  it('uses exact definitions', () => {
    near(conv('convert 5 miles to kilometers').result, 8.04672);
    near(conv('how many feet are in a mile').result, 5280);
    near(conv('10 kg in pounds').result, 22.046226218487757);
    near(conv('how many ounces in a pound').result, 16);
    near(conv('how many teaspoons in a tablespoon').result, 3);
    near(conv('how many cups in a gallon').result, 16);
    near(conv('60 mph in km/h').result, 96.56064);
    near(conv('how many seconds in a day').result, 86400);
    near(conv('what is 100 knots in miles per hour').result, 115.07794480235425);
  });

  it('converts temperatures with their offsets', () => {
    near(conv("what's 100 fahrenheit in celsius").result, 37.77777777777778);
    near(conv('32 degrees fahrenheit in celsius').result, 0);
    near(conv('what is minus 40 celsius in fahrenheit').result, -40);
    near(conv('0 kelvin to celsius').result, -273.15);
    near(conv('20°C in fahrenheit').result, 68);
    // Bare "degrees" means the other common scale.
    assert.equal(conv('72 degrees in celsius').from.singular, 'degree Fahrenheit');
    assert.equal(conv('20 degrees in fahrenheit').from.singular, 'degree Celsius');
  });

  it('understands the ways people ask', () => {
    for (const text of [
      'convert 2 gallons to liters',
      'what is 6 feet in meters',
      'how many kilometers is 26.2 miles',
      'how much is 3 pounds in kilograms',
      'five miles in km',
      '26.2 miles is how many kilometers',
      'how many grams are there in an ounce',
      'convert a mile to feet',
    ]) conv(text);
    assert.equal(conv('convert two and a half liters to milliliters').result, 2500);
  });

  it('refuses to convert between different kinds of measure', () => {
    const c = parseConversion('convert 5 miles to pounds');
    assert.ok(c && 'error' in c);
    assert.match(c.error, /miles to pounds/);
  });

  it('ignores what is not a conversion', () => {
    for (const text of ['turn on the lights', 'what time is it', 'how many people live in london', 'five miles', 'convert me to your religion', 'how many feet does a spider have']) {
      assert.equal(parseConversion(text), null, text);
    }
  });

  it('round-trips any amount between any two units of a kind', () => {
    const pairs = [['miles', 'kilometers'], ['feet', 'centimeters'], ['pounds', 'grams'], ['cups', 'milliliters'], ['celsius', 'fahrenheit'], ['mph', 'knots'], ['hours', 'seconds']];
    fc.assert(
      fc.property(fc.constantFrom(...pairs), fc.integer({ min: 1, max: 100000 }), ([a, b], n) => {
        const there = conv(`convert ${n} ${a} to ${b}`).result;
        const back = conv(`convert ${there} ${b} to ${a}`).result;
        return Math.abs(back - n) < 1e-6 * n;
      }),
      { numRuns: 300 },
    );
  });
});
