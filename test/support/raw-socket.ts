/**
 * Requests written byte by byte on a raw socket, for what an HTTP client library will not do:
 * bodies sent as one-byte chunks, bodies that stall, methods such as TRACE, a client that leaves.
 */
import net from 'node:net';

export interface RawExchange {
  socket: net.Socket;
  /** Resolves with the status line's code and the raw answer once the server closes or answers in full. */
  answer: Promise<{ status: number; head: string; body: string }>;
}

/** Opens a connection and writes the request head; the caller writes (or withholds) the body. */
export function openRequest(base: string, head: string): RawExchange {
  const { hostname, port } = new URL(base);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.write(head.replace(/\n/g, '\r\n'));
  const answer = new Promise<{ status: number; head: string; body: string }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', body = ''] = text.split('\r\n\r\n', 2) as [string?, string?];
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1] ?? 0), head: headText, body });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const length = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      if (length !== undefined && split >= 0 && Buffer.byteLength(text.slice(split + 4)) >= Number(length)) {
        socket.destroy();
        done();
      }
    });
    socket.on('close', done);
    socket.on('error', (error) => (chunks.length > 0 ? done() : reject(error)));
  });
  return { socket, answer };
}

/** Writes `text` as chunked-encoding chunks of one byte each, in writes of `perWrite` chunks. */
export async function writeOneByteChunks(socket: net.Socket, text: string, perWrite = 1024): Promise<void> {
  for (let i = 0; i < text.length; i += perWrite) {
    const piece = text
      .slice(i, i + perWrite)
      .split('')
      .map((c) => `1\r\n${c}\r\n`)
      .join('');
    if (!socket.write(piece)) await new Promise((resolve) => socket.once('drain', resolve));
  }
}
