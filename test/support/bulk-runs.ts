/**
 * What the bulk-run test files share: servers closed after the test that started them, and
 * numbered add instructions.
 */
import { afterEach } from 'vitest';
import { type SegmentInstruction, segmentInstructions } from '../../src/index.js';
import { startFakeLaunchDarkly } from './fake-launchdarkly.js';

/** Instructions' expiry: 2031-01-01, far enough ahead that no run sees it in the past. */
export const T0 = 1_924_905_600_000;

/**
 * Registers an `afterEach` that closes every server handed to `track` (or started by `fake`)
 * during the test.
 */
export function closedAfterEach() {
  let closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.map((close) => close()));
    closers = [];
  });
  const track = <S extends { close: () => Promise<unknown> }>(server: S): S => {
    closers.push(server.close);
    return server;
  };
  const fake = async (options: Parameters<typeof startFakeLaunchDarkly>[0] = {}) => track(await startFakeLaunchDarkly(options));
  return { track, fake };
}

/** `n` segment adds for contexts `${prefix}0`…, each expiring a millisecond after the one before. */
export function segmentAdds(n: number, prefix = 'u'): SegmentInstruction[] {
  return Array.from({ length: n }, (_, i) =>
    segmentInstructions.add({ contextKind: 'user', contextKey: `${prefix}${i}`, targetType: 'included', expiresAt: T0 + i }),
  );
}
