// What each error class says about the instructions of its request (fate), whether it stops a
// bulk run, what it keeps, and what it shows when logged.
import { describe, expect, it } from 'vitest';
import {
  ApiConnectionError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ExpiringTargetsError,
  InstructionValidationError,
  InvalidResponseError,
  LaunchDarklyApiError,
  NotFoundError,
  PartialFailureError,
  PermissionDeniedError,
  RateLimitError,
  RequestAbortedError,
  ServerError,
} from '../../src/index.js';
import { errorClassForStatus } from '../../src/core/errors.js';

const details = { status: 400, code: 'c', errorId: 'e', requestId: 'r', method: 'PATCH', url: 'https://ld.example/x', retryAfterMs: 5 };

describe('fate and bulk-run stopping, per class', () => {
  it.each<[string, ExpiringTargetsError, string, boolean]>([
    ['ExpiringTargetsError', new ExpiringTargetsError('x'), 'notAttempted', true],
    ['ConfigurationError', new ConfigurationError('x'), 'notAttempted', true],
    ['InstructionValidationError', new InstructionValidationError([]), 'notAttempted', true],
    ['LaunchDarklyApiError 418', new LaunchDarklyApiError('x', { ...details, status: 418 }), 'failed', false],
    ['BadRequestError', new BadRequestError('x', details), 'failed', false],
    ['AuthenticationError', new AuthenticationError('x', { ...details, status: 401 }), 'failed', true],
    ['PermissionDeniedError', new PermissionDeniedError('x', { ...details, status: 403 }), 'failed', true],
    ['NotFoundError', new NotFoundError('x', { ...details, status: 404 }), 'failed', true],
    ['ConflictError', new ConflictError('x', { ...details, status: 409 }), 'failed', false],
    ['RateLimitError', new RateLimitError('x', { ...details, status: 429 }), 'failed', false],
    ['RateLimitError after an earlier 5xx', new RateLimitError('x', { ...details, status: 429, mayHaveApplied: true }), 'unknown', false],
    ['ServerError', new ServerError('x', { ...details, status: 503 }), 'unknown', false],
    ['InvalidResponseError', new InvalidResponseError('x', { status: 200 }), 'unknown', false],
    ['ApiConnectionError before sending', new ApiConnectionError('x', { stage: 'before-send' }), 'notAttempted', true],
    [
      'ApiConnectionError before sending, after an attempt that may have applied',
      new ApiConnectionError('x', { stage: 'before-send', mayHaveApplied: true }),
      'unknown',
      true,
    ],
    ['ApiConnectionError after sending', new ApiConnectionError('x', { stage: 'after-send' }), 'unknown', false],
    [
      'ApiConnectionError after sending, said not to have applied',
      new ApiConnectionError('x', { stage: 'after-send', mayHaveApplied: false }),
      'notAttempted',
      false,
    ],
    ['ApiTimeoutError', new ApiTimeoutError(100, {}), 'unknown', false],
    ['RequestAbortedError', new RequestAbortedError(), 'notAttempted', true],
    ['RequestAbortedError, maybe sent', new RequestAbortedError('why', true), 'unknown', true],
    ['PartialFailureError', new PartialFailureError('x', {}), 'failed', true],
  ])('%s: %s, stops a bulk run: %s', (_name, error, fate, stops) => {
    expect(error.instructionsFate).toBe(fate);
    expect(error.stopsBulkRun).toBe(stops);
    expect(error).toBeInstanceOf(ExpiringTargetsError);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('names', () => {
  it.each([
    [new ExpiringTargetsError('x'), 'ExpiringTargetsError'],
    [new ConfigurationError('x'), 'ConfigurationError'],
    [new InstructionValidationError([]), 'InstructionValidationError'],
    [new LaunchDarklyApiError('x', details), 'LaunchDarklyApiError'],
    [new BadRequestError('x', details), 'BadRequestError'],
    [new AuthenticationError('x', details), 'AuthenticationError'],
    [new PermissionDeniedError('x', details), 'PermissionDeniedError'],
    [new NotFoundError('x', details), 'NotFoundError'],
    [new ConflictError('x', details), 'ConflictError'],
    [new RateLimitError('x', details), 'RateLimitError'],
    [new ServerError('x', details), 'ServerError'],
    [new InvalidResponseError('x', details), 'InvalidResponseError'],
    [new ApiConnectionError('x', { stage: 'after-send' }), 'ApiConnectionError'],
    [new ApiTimeoutError(1, {}), 'ApiTimeoutError'],
    [new RequestAbortedError(), 'RequestAbortedError'],
    [new PartialFailureError('x', {}), 'PartialFailureError'],
  ] as const)('%s is named %s', (error, name) => {
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: ${error.message}`);
  });
});

describe('LaunchDarklyApiError', () => {
  it('keeps every detail, and toJSON shows the loggable ones', () => {
    const error = new LaunchDarklyApiError('PATCH /x failed with 400 c: bad', details);
    expect(error).toMatchObject({ ...details, message: 'PATCH /x failed with 400 c: bad', mayHaveApplied: false });
    expect(error.toJSON()).toEqual({
      name: 'LaunchDarklyApiError',
      message: 'PATCH /x failed with 400 c: bad',
      status: 400,
      code: 'c',
      errorId: 'e',
      requestId: 'r',
      method: 'PATCH',
      url: 'https://ld.example/x',
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });

  it('mayHaveApplied only when said so', () => {
    expect(new ServerError('x', { status: 500, mayHaveApplied: 'yes' as unknown as boolean }).mayHaveApplied).toBe(false);
    expect(new ServerError('x', { status: 500, mayHaveApplied: true }).mayHaveApplied).toBe(true);
  });
});

describe('ApiConnectionError and ApiTimeoutError', () => {
  it('keep stage, method, url and cause', () => {
    const cause = new Error('inner');
    const error = new ApiConnectionError('m', { stage: 'before-send', method: 'GET', url: 'https://ld.example/y', cause });
    expect(error).toMatchObject({ stage: 'before-send', method: 'GET', url: 'https://ld.example/y', mayHaveApplied: false });
    expect(error.cause).toBe(cause);
    expect('cause' in new ApiConnectionError('m', { stage: 'after-send' })).toBe(false);
  });

  it('a timeout is after sending, says its limit, and may have applied', () => {
    const error = new ApiTimeoutError(250, { method: 'PATCH', url: 'https://ld.example/z' });
    expect(error).toMatchObject({
      timeoutMs: 250,
      stage: 'after-send',
      mayHaveApplied: true,
      method: 'PATCH',
      url: 'https://ld.example/z',
    });
    expect(error.message).toBe('Request timed out after 250 ms');
    expect(error).toBeInstanceOf(ApiConnectionError);
  });
});

describe('RequestAbortedError', () => {
  it('keeps the reason as its cause', () => {
    const error = new RequestAbortedError('user left');
    expect(error.message).toBe('Request aborted by the caller');
    expect(error.cause).toBe('user left');
    expect(error.maybeSent).toBe(false);
  });
});

describe('InstructionValidationError', () => {
  it('lists every issue, with the index when there is one', () => {
    const error = new InstructionValidationError(
      [
        { index: 0, field: 'contextKey', message: 'must be a non-empty string, got ""' },
        { field: 'projectKey', message: 'is required' },
      ],
      '1 of 2 segment instruction(s) are invalid',
    );
    expect(error.message).toBe(
      '1 of 2 segment instruction(s) are invalid (2 problems):\n  - instruction 0: contextKey must be a non-empty string, got ""\n  - projectKey is required',
    );
    expect(error.issues).toHaveLength(2);
  });

  it('says "problem" for one, and "Invalid input" without a context', () => {
    expect(new InstructionValidationError([{ field: 'f', message: 'm' }]).message).toBe('Invalid input (1 problem):\n  - f m');
  });
});

describe('PartialFailureError', () => {
  it('holds the result', () => {
    const result = { ok: false };
    expect(new PartialFailureError('1 of 2 instructions failed', result).result).toBe(result);
  });
});

describe('errorClassForStatus', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [429, RateLimitError],
    [500, ServerError],
    [599, ServerError],
    [499, LaunchDarklyApiError],
    [418, LaunchDarklyApiError],
    [302, LaunchDarklyApiError],
  ])('%d is %o', (status, ErrorClass) => {
    expect(errorClassForStatus(status)).toBe(ErrorClass);
  });
});
