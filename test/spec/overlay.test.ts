import { describe, expect, it } from 'vitest';
import { applyOverlay, OverlayError, select, traceOverlay } from '../../scripts/lib/overlay.js';

const doc = {
  paths: {
    '/a/{x}': {
      patch: {
        parameters: [
          { name: 'Authorization', in: 'header' },
          { name: 'x', in: 'path' },
        ],
      },
    },
    '/b': { get: { parameters: [{ name: 'Authorization', in: 'header' }] } },
  },
  tags: ['one'],
};

describe('overlay', () => {
  it('selects with members, brackets, wildcards and filters', () => {
    expect(select(doc, "$.paths['/a/{x}'].patch.parameters[?@.name=='x']").map((m) => m.value)).toEqual([{ name: 'x', in: 'path' }]);
    expect(select(doc, "$.paths.*.*.parameters[?@.name=='Authorization']")).toHaveLength(2);
  });

  it('removes every match and leaves the input untouched', () => {
    const out = applyOverlay(doc, {
      overlay: '1.0.0',
      actions: [{ target: "$.paths.*.*.parameters[?@.name=='Authorization']", remove: true }],
    });
    expect(out.paths['/a/{x}'].patch.parameters).toEqual([{ name: 'x', in: 'path' }]);
    expect(out.paths['/b'].get.parameters).toEqual([]);
    expect(doc.paths['/b'].get.parameters).toHaveLength(1);
  });

  it('merges objects, appends to arrays, replaces scalars', () => {
    const out = applyOverlay(doc, {
      overlay: '1.0.0',
      actions: [
        { target: '$', update: { tags: ['two'], info: { title: 't' } } },
        { target: '$.info', update: { title: 'u', version: '1' } },
      ],
    });
    expect(out).toMatchObject({ tags: ['one', 'two'], info: { title: 'u', version: '1' } });
  });

  it('fails on a target that matches nothing, naming the action', () => {
    expect(() => applyOverlay(doc, { overlay: '1.0.0', actions: [{ description: 'typo', target: '$.pathz', remove: true }] })).toThrow(
      /action 1 \(typo\): target \$\.pathz matches nothing/,
    );
  });

  it('rejects JSONPath it does not understand instead of matching nothing', () => {
    expect(() => select(doc, '$..parameters')).toThrow(OverlayError);
    expect(() => select(doc, 'paths')).toThrow(/must start with "\$"/);
  });

  it('records what each action matched and decides, with parameters named by location and name', () => {
    const { applied, skipped } = traceOverlay(doc, {
      overlay: '1.0.0',
      actions: [
        { target: "$.paths['/a/{x}'].patch.parameters[?@.name=='Authorization']", remove: true },
        { target: "$.paths['/a/{x}'].patch", update: { summary: 'S', parameters: [{ name: 'y', in: 'query' }] } },
        { target: "$.paths.*.*.parameters[?@.name=='x']", update: { description: 'X', in: 'path' } },
      ],
    });
    expect(skipped).toEqual([]);
    expect(applied.map((a) => a.footprint)).toEqual([
      [['paths', '/a/{x}', 'patch', 'parameters', 'header Authorization']],
      // A new member is decided by the update; an array it appends to is not.
      [['paths', '/a/{x}', 'patch', 'summary']],
      [
        ['paths', '/a/{x}', 'patch', 'parameters', 'path x', 'description'],
        ['paths', '/a/{x}', 'patch', 'parameters', 'path x', 'in'],
      ],
    ]);
  });

  it('skips actions that match nothing when lenient, and fails on them otherwise', () => {
    const overlay = {
      overlay: '1.0.0',
      actions: [
        { target: '$.components.schemas.Nope', remove: true as const },
        { target: '$.tags', update: ['two'] },
      ],
    };
    const { document, applied, skipped } = traceOverlay(doc, overlay, { lenient: true });
    expect(skipped.map((a) => a.index)).toEqual([0]);
    expect(applied.map((a) => a.index)).toEqual([1]);
    expect(document.tags).toEqual(['one', 'two']);
    expect(() => traceOverlay(doc, overlay)).toThrow(/action 1 \(\$\.components\.schemas\.Nope\): target .* matches nothing/);
  });
});
