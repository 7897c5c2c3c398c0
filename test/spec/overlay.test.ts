import { describe, expect, it } from 'vitest';
import { applyOverlay, OverlayError, select } from '../../scripts/lib/overlay.js';

const doc = {
  paths: {
    '/a/{x}': { patch: { parameters: [{ name: 'Authorization', in: 'header' }, { name: 'x', in: 'path' }] } },
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
    expect(() =>
      applyOverlay(doc, { overlay: '1.0.0', actions: [{ description: 'typo', target: '$.pathz', remove: true }] }),
    ).toThrow(/action 1 \(typo\): target \$\.pathz matches nothing/);
  });

  it('rejects JSONPath it does not understand instead of matching nothing', () => {
    expect(() => select(doc, '$..parameters')).toThrow(OverlayError);
    expect(() => select(doc, 'paths')).toThrow(/must start with "\$"/);
  });
});
