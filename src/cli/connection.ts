/**
 * Where a command's requests go: the connection options (CONNECTION_OPTIONS) read once, and the
 * client built from them: LaunchDarkly, any base URL, or the embedded mock.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type ExpiringTargetsClient, createExpiringTargetsClient } from '../core/client.js';
import { INSTANCES, type Instance, type RetryEvent } from '../core/options.js';
import { UsageError } from './errors.js';
import { type LogArgs, logArgsOf, stderrLogger } from './log.js';
import { MOCK_TOKEN, type Mock, startMock } from './mock.js';
import type { Output } from './output.js';
import type { Values } from './command.js';
import { optionalString, seconds } from './parser.js';

export interface ConnectionArgs {
  token: string | undefined;
  baseUrl: string | undefined;
  instance: Instance | undefined;
  apiVersion: string | undefined;
  /** Per-attempt timeout (`--timeout`, given in seconds). */
  timeoutMs: number | undefined;
  mock: boolean;
  /** `--verbose`, `--debug`, `--log-format`. */
  log: LogArgs;
}

/** A token is a line of text; a file bigger than this is not a token file. */
const TOKEN_FILE_BYTES = 4096;

/**
 * The token in `--token-file PATH` (`-`: standard input): at most TOKEN_FILE_BYTES, one line,
 * surrounding white space trimmed. Messages name the file, never its content.
 */
export function readTokenFile(file: string): string {
  let fd: number;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
    if (file !== '-' && !fstatSync(fd).isFile()) throw Object.assign(new Error(), { code: 'not a regular file' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--token-file ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
  const buffer = Buffer.alloc(TOKEN_FILE_BYTES + 1);
  let length = 0;
  try {
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
  } catch (error) {
    throw new UsageError(`--token-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  } finally {
    if (file !== '-') closeSync(fd);
  }
  if (length > TOKEN_FILE_BYTES) throw new UsageError(`--token-file ${file}: larger than ${TOKEN_FILE_BYTES} bytes, so not a token`);
  const token = buffer.toString('utf8', 0, length).trim();
  if (token === '') throw new UsageError(`--token-file ${file}: it is empty`);
  if (/[\r\n]/.test(token)) throw new UsageError(`--token-file ${file}: it holds more than one line; put only the token in it`);
  return token;
}

export function connectionOf(values: Values, env: Readonly<Record<string, string | undefined>>): ConnectionArgs {
  const tokenFile = optionalString(values, 'token-file');
  if (tokenFile !== undefined && optionalString(values, 'token') !== undefined)
    throw new UsageError('give --token or --token-file, not both');
  const token = (tokenFile !== undefined ? readTokenFile(tokenFile) : undefined) ?? optionalString(values, 'token') ?? env.LD_API_KEY;
  const baseUrl = optionalString(values, 'base-url');
  const instance = optionalString(values, 'instance');
  const mock = values.mock === true;
  if (instance !== undefined && !Object.hasOwn(INSTANCES, instance)) {
    throw new UsageError(`--instance must be one of ${Object.keys(INSTANCES).join(', ')}, got ${JSON.stringify(instance)}`);
  }
  if (baseUrl !== undefined && instance !== undefined) throw new UsageError('give --base-url or --instance, not both');
  if (mock && (baseUrl !== undefined || instance !== undefined)) {
    throw new UsageError('--mock runs its own server: it cannot be combined with --base-url or --instance');
  }
  return {
    token: token === undefined || token === '' ? undefined : token,
    baseUrl,
    instance: instance as Instance | undefined,
    apiVersion: optionalString(values, 'api-version'),
    timeoutMs: seconds('timeout', optionalString(values, 'timeout')),
    mock,
    log: logArgsOf(values, env),
  };
}

export interface Connection {
  client: ExpiringTargetsClient;
  /** Where requests go, for messages: a URL or the instance name (for the mock, that it keeps no state). */
  target: string;
  /** The embedded mock: it answers from the API description's examples and saves nothing. */
  mock: boolean;
}

/** What the mock is, wherever a command says where its requests went. */
export const MOCK_KEEPS_NO_STATE = 'it keeps no state: it accepts changes and saves none, and every read answers the same examples';

/** A URL as it may be printed: without `user:password@` (the client refuses such a base URL anyway). */
export function displayUrl(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.username === '' && url.password === '') return text;
  url.username = '';
  url.password = '';
  return url.href;
}

/** Runs `fn` with a client; with `--mock`, Prism runs for exactly as long as `fn` (also on error). */
export async function withConnection<T>(
  args: ConnectionArgs,
  onRetry: (event: RetryEvent) => void,
  fn: (connection: Connection) => Promise<T>,
  out?: Output,
): Promise<T> {
  let mock: Mock | undefined;
  try {
    let baseUrl = args.baseUrl;
    let apiKey = args.token;
    if (args.mock) {
      mock = await startMock();
      baseUrl = mock.url;
      // Never a real token to the mock, whatever LD_API_KEY or --token hold.
      apiKey = MOCK_TOKEN;
    } else if (apiKey === undefined && baseUrl === undefined) {
      throw new UsageError('no access token: set LD_API_KEY (or pass --token), or try the embedded mock with --mock');
    }
    const logging = { logLevel: out ? args.log.level : 'off', ...(out && { logger: stderrLogger(out, args.log.format) }) } as const;
    const client = createExpiringTargetsClient({
      apiKey,
      baseUrl,
      instance: args.instance,
      apiVersion: args.apiVersion,
      timeoutMs: args.timeoutMs,
      onRetry,
      ...logging,
    });
    const target = mock
      ? `the embedded mock (${mock.url}; ${MOCK_KEEPS_NO_STATE})`
      : baseUrl !== undefined
        ? displayUrl(baseUrl)
        : `LaunchDarkly (${args.instance ?? 'commercial'})`;
    return await fn({ client, target, mock: mock !== undefined });
  } finally {
    await mock?.stop();
  }
}
