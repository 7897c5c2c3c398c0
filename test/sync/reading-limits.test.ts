// The bound on problems collected, met in the middle of one entry's problems: reading stops at
// MAX_ISSUES exactly, not at the end of the entry that crosses it.
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES } from '../../src/sync/bounds.js';
import { type DesiredState, desiredStateIssues } from '../../src/sync/index.js';

describe('the bound on problems', () => {
  it('a state built in code: three problems an entry, the 334th entry crossing the bound', () => {
    const ref = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
    const targets = Array.from({ length: 400 }, () => ({
      contextKind: '',
      contextKey: '',
      targetType: 'both',
      expiresAt: '2031-01-01T00:00:00Z',
    }));
    const issues = desiredStateIssues({ resources: [{ resource: 'segment', ref, targets }] } as unknown as DesiredState, { now: 0 });
    expect(issues).toHaveLength(MAX_ISSUES);
    expect(issues.at(-1)?.path).toEqual(['projects', 'p', 'environments', 'e', 'segments', 's', 333, 'contextKey']);
  });
});
