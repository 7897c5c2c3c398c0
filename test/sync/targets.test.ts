// --target: which part of a desired state is planned, and the messages for a target that is wrong.
import { describe, expect, it } from 'vitest';
import { parseDesiredState, selectTargets } from '../../src/sync/index.js';

// Read in each test, not when the file loads: code run outside a test counts as covered by every
// test, which makes a mutation run try each of its mutants against the whole suite.
const desired = () =>
  parseDesiredState(`projects:
  p:
    environments:
      e:
        segments:
          s: []
        flags:
          f: []
`);

describe('selectTargets', () => {
  it('names each target that matches nothing, in one message', () => {
    expect(() => selectTargets(desired(), ['segment:p/e/x', 'flag:p/e/s', 'segment:p/e/s'])).toThrow(
      '"segment:p/e/x", "flag:p/e/s" name no segment or flag of the desired state',
    );
    expect(() => selectTargets(desired(), ['segment:p/e/s', 'flag:p/e/x'])).toThrow(
      /^"flag:p\/e\/x" names no segment or flag of the desired state$/,
    );
  });

  it('says how a target is written', () => {
    expect(() => selectTargets(desired(), ['segment:p/e'])).toThrow(
      '"segment:p/e" must look like segment:PROJECT/ENVIRONMENT/KEY or flag:PROJECT/ENVIRONMENT/KEY',
    );
    expect(selectTargets(desired(), ['flag:p/e/f']).resources.map((r) => r.resource)).toEqual(['flag']);
  });
});
