// @ts-check
/**
 * Validation of the bundle (Redocly) and its TypeScript types (openapi-typescript), in a worker
 * thread. Loading the two (TypeScript comes with openapi-typescript) costs more than everything
 * else in a pull of the full official document, so the worker starts loading them first thing,
 * while the main thread downloads, selects, merges and corrects.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export class BundleInvalidError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'BundleInvalidError';
  }
}

/**
 * @typedef {{ check: (bundle: { document: Record<string, any>, yaml: string, name: string }) => Promise<string>,
 *   stop: () => Promise<void> }} OutputChecker
 */

/**
 * Starts the worker. `check` validates a bundle and resolves to its types, or rejects with
 * BundleInvalidError listing every problem; calls are answered one at a time. `stop` ends the
 * worker; whoever started it stops it.
 * @returns {OutputChecker}
 */
export function startOutputChecker() {
  // A smaller young generation than a worker gets by default: on a pull of the full official
  // document this keeps about 20 MB of peak memory (the main thread holds the download meanwhile)
  // at no measurable cost in time.
  const worker = new Worker(new URL('./outputs-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const crashed = once(worker, 'error').then(([error]) => {
    throw error;
  });
  crashed.catch(() => {});
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();
  return {
    check(bundle) {
      const answer = queue.then(async () => {
        const reply = once(worker, 'message');
        worker.postMessage(bundle);
        const [message] = await Promise.race([reply, crashed]);
        if (typeof message?.invalid === 'string') throw new BundleInvalidError(message.invalid);
        if (typeof message?.types !== 'string') throw new Error(`generating types: ${message?.error ?? 'no answer'}`);
        return /** @type {string} */ (message.types);
      });
      queue = answer.catch(() => {});
      return answer;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
