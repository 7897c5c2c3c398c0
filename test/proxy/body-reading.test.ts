/**
 * readCapped, the one reader of bodies in the proxy (the request's, and LaunchDarkly's answer when
 * it declares no length): what it returns, the one buffer it collects into and how that buffer
 * grows, where it stops, and the stream it cancels. Driven with real ReadableStreams whose source
 * records what the reader did to it.
 */
import { describe, expect, it } from 'vitest';
import { declaredLength, readCapped, utf8 } from '../../src/proxy/body.js';

/** A stream of `chunks`, then closed (or left open with `open`); records whether it was cancelled. */
function source(chunks: Uint8Array[], options: { open?: boolean; failWith?: Error } = {}) {
  const state = { cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[state.pulls++];
        if (next !== undefined) controller.enqueue(next);
        else if (options.failWith !== undefined) controller.error(options.failWith);
        else if (!options.open) controller.close();
        else return new Promise<void>(() => undefined);
        return undefined;
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
const oneByteChunks = (length: number) => Array.from({ length }, (_, i) => new Uint8Array([0x61 + (i % 26)]));
/** `count` chunks of 100 bytes, the i-th all of letter i (mod 26). */
const hundreds = (count: number) => Array.from({ length: count }, (_, i) => new Uint8Array(100).fill(0x61 + (i % 26)));
const live = () => new AbortController().signal;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('readCapped', () => {
  it('no body is an empty one', async () => {
    expect(await readCapped(null, { maxBytes: 10, signal: live() })).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });

  it('a body that ends before its first chunk is empty', async () => {
    const { stream } = source([]);
    const read = await readCapped(stream, { maxBytes: 10, signal: live() });
    expect(read.ok && read.bytes.byteLength).toBe(0);
  });

  it('a body in one chunk is that chunk, not a copy', async () => {
    const chunk = bytesOf('{"instructions":[]}');
    const read = await readCapped(source([chunk]).stream, { maxBytes: 100, signal: live() });
    expect(read).toEqual({ ok: true, bytes: chunk });
    expect(read.ok && read.bytes).toBe(chunk);
  });

  it('chunks are collected in order into one buffer sized from the declared length', async () => {
    const chunks = ['{"a"', ':', '[1,2', ']}'].map(bytesOf);
    const read = await readCapped(source(chunks).stream, { maxBytes: 100, sizeHint: 13, signal: live() });
    expect(read.ok && text(read.bytes)).toBe('{"a":[1,2]}');
    // The hint was 13 bytes, so the buffer is 13, not the 4 KiB a body of unknown length starts with.
    expect(read.ok && read.bytes.buffer.byteLength).toBe(13);
  });

  it('without a length, the buffer starts at 4 KiB and doubles, never past the cap', async () => {
    const read = await readCapped(source(hundreds(100)).stream, { maxBytes: 1024 * 1024, signal: live() });
    expect(read.ok && read.bytes.byteLength).toBe(10_000);
    expect(read.ok && read.bytes.buffer.byteLength).toBe(16 * 1024);
    expect(read.ok && [read.bytes[0], read.bytes[99], read.bytes[100], read.bytes[4100], read.bytes[9_999]]).toEqual([
      0x61,
      0x61,
      0x62,
      0x61 + 15,
      0x61 + (99 % 26),
    ]);

    const capped = await readCapped(source(hundreds(100)).stream, { maxBytes: 12_000, signal: live() });
    expect(capped.ok && capped.bytes.buffer.byteLength).toBe(12_000);
    // A declared length is taken as given, even 0: the buffer then doubles from what came.
    const zeroHint = await readCapped(source(oneByteChunks(10)).stream, { maxBytes: 100_000, sizeHint: 0, signal: live() });
    expect(zeroHint.ok && zeroHint.bytes.buffer.byteLength).toBe(16);
  });

  it('a chunk larger than the doubled buffer gets a buffer of its size', async () => {
    const read = await readCapped(source([bytesOf('ab'), new Uint8Array(9000).fill(0x62)]).stream, {
      maxBytes: 100_000,
      signal: live(),
    });
    expect(read.ok && read.bytes.byteLength).toBe(9002);
    expect(read.ok && read.bytes.buffer.byteLength).toBe(9002);
  });

  it('past 1 MiB an undeclared body fills blocks instead of doubling, and comes back whole and in order', async () => {
    // 3.5 MiB in chunks of 64 KiB - 1 and single bytes, each byte telling its position.
    const total = 3.5 * 1024 * 1024;
    const whole = Uint8Array.from({ length: total }, (_, i) => (i * 7) % 251);
    const chunks: Uint8Array[] = [];
    for (let at = 0, n = 0; at < total; n++) {
      const length = Math.min(n % 3 === 2 ? 1 : 65_535, total - at);
      chunks.push(whole.subarray(at, at + length));
      at += length;
    }
    const read = await readCapped(source(chunks).stream, { maxBytes: 4 * 1024 * 1024, signal: live() });
    expect(read.ok && read.bytes.byteLength).toBe(total);
    // Joined once at the end into a buffer of exactly its size (doubling would have reached 4 MiB).
    expect(read.ok && read.bytes.buffer.byteLength).toBe(total);
    expect(read.ok && Buffer.compare(read.bytes, whole)).toBe(0);
    // Declared, the same body is one buffer of the declared size from the start.
    const declared = await readCapped(source(chunks).stream, { maxBytes: 4 * 1024 * 1024, sizeHint: total, signal: live() });
    expect(declared.ok && declared.bytes.buffer.byteLength).toBe(total);
    expect(declared.ok && Buffer.compare(declared.bytes, whole)).toBe(0);
  });

  it('a body exactly at the cap is read; one byte more is too large, and the stream is cancelled', async () => {
    const atCap = await readCapped(source(oneByteChunks(50)).stream, { maxBytes: 50, signal: live() });
    expect(atCap.ok && atCap.bytes.byteLength).toBe(50);

    const over = source(oneByteChunks(51));
    expect(await readCapped(over.stream, { maxBytes: 50, signal: live() })).toEqual({ ok: false, reason: 'too-large' });
    expect(over.state).toEqual({ cancelled: true, pulls: 51 });

    const oneBigChunk = source([new Uint8Array(51)]);
    expect(await readCapped(oneBigChunk.stream, { maxBytes: 50, signal: live() })).toEqual({ ok: false, reason: 'too-large' });
    expect(oneBigChunk.state.cancelled).toBe(true);
  });

  it('a signal already aborted: nothing is read, the stream is cancelled', async () => {
    const { stream, state } = source([bytesOf('{}')], { open: true });
    expect(await readCapped(stream, { maxBytes: 10, signal: AbortSignal.abort() })).toEqual({ ok: false, reason: 'aborted' });
    expect(state).toEqual({ cancelled: true, pulls: 0 });
  });

  it('a stalled body ends when the signal fires, and the stream is cancelled', async () => {
    const { stream, state } = source([bytesOf('{"instr')], { open: true });
    const controller = new AbortController();
    const reading = readCapped(stream, { maxBytes: 100, signal: controller.signal });
    controller.abort();
    expect(await reading).toEqual({ ok: false, reason: 'aborted' });
    expect(state.cancelled).toBe(true);
  });

  it('the signal firing after the body was read changes nothing', async () => {
    const controller = new AbortController();
    const read = await readCapped(source([bytesOf('{}')]).stream, { maxBytes: 10, signal: controller.signal });
    controller.abort();
    expect(read.ok && text(read.bytes)).toBe('{}');
  });

  it('a body that fails is unreadable; one that fails because the signal fired is aborted', async () => {
    const failing = source([bytesOf('{')], { failWith: new Error('reset') });
    expect(await readCapped(failing.stream, { maxBytes: 10, signal: live() })).toEqual({ ok: false, reason: 'unreadable' });

    const controller = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      pull(streamController) {
        streamController.error(new Error('reset'));
        controller.abort();
      },
    });
    expect(await readCapped(stream, { maxBytes: 10, signal: controller.signal })).toEqual({ ok: false, reason: 'aborted' });
  });
});

describe('declaredLength', () => {
  it.each<[string | undefined, number | undefined]>([
    ['1048576', 1048576],
    [' 12 ', 12],
    ['0', 0],
    ['1e3', undefined],
    ['-1', undefined],
    ['12 13', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('Content-Length %j is %j', (value, expected) => {
    const headers = new Headers(value === undefined ? {} : { 'content-length': value });
    expect(declaredLength(headers)).toBe(expected);
  });
});

describe('utf8', () => {
  it('decodes UTF-8 and refuses anything else', () => {
    expect(utf8(bytesOf('é✓'))).toBe('é✓');
    expect(utf8(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});
