import { describe, expect, it } from 'vitest';
import { instructionRules } from '../../scripts/lib/rules.js';

const flagPath = '/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}';
const segmentPath = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';

function documentWith(field: Record<string, unknown>) {
  const patch = (schema: string) => ({
    operationId: `patch-${schema}`,
    requestBody: {
      content: { 'application/json; domain-model=launchdarkly.semanticpatch': { schema: { $ref: `#/components/schemas/${schema}` } } },
    },
  });
  const body = { type: 'object', properties: { instructions: { type: 'array', items: { $ref: '#/components/schemas/Add' } } } };
  return {
    paths: { [segmentPath]: { patch: patch('SegmentBody') }, [flagPath]: { patch: patch('FlagBody') } },
    components: {
      schemas: {
        SegmentBody: body,
        FlagBody: body,
        Add: {
          type: 'object',
          required: ['kind'],
          properties: { kind: { type: 'string', const: 'addExpiringTarget' }, contextKey: field },
        },
      },
    },
  };
}

describe('instructionRules', () => {
  it('reads a one-member list of types (3.0 `nullable: false`, converted) as that type', () => {
    const rules = instructionRules(documentWith({ type: ['string'], minLength: 1 }));
    expect(rules.segment.kinds.addExpiringTarget.fields.contextKey).toEqual({ type: 'string', minLength: 1 });
  });

  it('still refuses a field of several types', () => {
    expect(() => instructionRules(documentWith({ type: ['string', 'null'] }))).toThrow(/several types \(string, null\)/);
  });
});
