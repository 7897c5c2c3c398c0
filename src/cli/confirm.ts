/** The question `sync` asks on a terminal before changing anything. */
import { createInterface } from 'node:readline';

/** What the CLI reads answers from (process.stdin, or a stream in tests). */
export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean | undefined;
}

/**
 * Writes `question` and resolves true only for the answer "yes". Ctrl-C (the signal)
 * or the end of input count as no.
 */
export function confirm(input: Input, write: (text: string) => void, question: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  // terminal: false keeps the terminal in cooked mode, so Ctrl-C still reaches the process.
  const rl = createInterface({ input, terminal: false });
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: boolean) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = () => {
      write('\n');
      done(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => done(line.trim().toLowerCase() === 'yes'));
    rl.once('close', () => done(false));
    // Asked once listening, so an answer typed ahead is not lost.
    write(question);
  });
}
