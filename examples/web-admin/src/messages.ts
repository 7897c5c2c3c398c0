/** What the page says about an error: a refusal, a rate limit and bad input each in its own words. */
import { InstructionValidationError, PermissionDeniedError, RateLimitError } from 'ld-expiring-targets';

export function errorMessage(error: unknown): string {
  if (error instanceof PermissionDeniedError) {
    return 'Not allowed (403): the backend refused this for your session. Nothing was changed.';
  }
  if (error instanceof RateLimitError) {
    const wait = error.retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s.`;
    return `LaunchDarkly's rate limit (429) held after every retry.${wait} Try again shortly.`;
  }
  if (error instanceof InstructionValidationError) {
    return `Not sent, the input is not valid: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
  }
  return error instanceof Error ? error.message : String(error);
}
