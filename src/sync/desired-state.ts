/**
 * The desired state: which contexts lose their individual targeting when, per segment and flag.
 * It is read from a file (./parse-desired.ts: every problem with its line and column) or built in
 * code, and checked the same way either way (./compile-desired.ts): the file's shape against the
 * shipped JSON Schema, then each entry's instruction with the validation of ../instructions.ts, so
 * a file can never accept what a `patch` would refuse. This module holds the types.
 */
import type { FlagRef, SegmentRef } from '../core/client.js';
import type { SegmentTargetType } from '../core/instructions.js';
import type { TimeInput } from '../core/time.js';
import type { SourcePosition } from './source-tree.js';

export type { SourcePosition } from './source-tree.js';
export { DesiredStateError } from './desired-state-error.js';
export {
  type CompiledResource,
  type CompiledTarget,
  compileDesiredState,
  describeResource,
  desiredStateIssues,
  resourceIdentity,
  resourcePath,
} from './compile-desired.js';
export { parseDesiredState } from './parse-desired.js';

/** Where an entry is in its file, and where each of its fields is. */
export interface EntrySource extends SourcePosition {
  /** Position of the entry in its list in the file (0-based). */
  index: number;
  /** Position of each field's value, by field name. */
  fields: Partial<Record<string, SourcePosition>>;
}

/** What every desired entry has: the context, and when its targeting ends. */
export interface DesiredTargetBase {
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
  /** When LaunchDarkly removes the context: a Date, an ISO-8601 string with a zone, or Unix milliseconds. */
  expiresAt: TimeInput;
  /** Where the entry is in its file (absent when built in code). */
  source?: EntrySource | undefined;
}
/** A context in a segment's `included` or `excluded` list, and when it leaves the list. */
export interface DesiredSegmentTarget extends DesiredTargetBase {
  /** Which of the segment's lists holds the context: `included` or `excluded`. */
  targetType: SegmentTargetType;
}
/** A context individually targeted by a flag variation, and when that ends. */
export interface DesiredFlagTarget extends DesiredTargetBase {
  /** The ID of the variation that individually targets the context. */
  variationId: string;
}

/** Every scheduled removal one segment should have. */
export interface DesiredSegment {
  /** Always `segment`. */
  resource: 'segment';
  /** Which segment, in which project and environment. */
  ref: SegmentRef;
  /** Every scheduled removal the segment should have. */
  targets: DesiredSegmentTarget[];
  /** Where the segment's key is in its file. */
  source?: SourcePosition | undefined;
}
/** Every scheduled removal one flag should have. */
export interface DesiredFlag {
  /** Always `flag`. */
  resource: 'flag';
  /** Which flag, in which project and environment. */
  ref: FlagRef;
  /** Every scheduled removal the flag should have. */
  targets: DesiredFlagTarget[];
  /** Where the flag's key is in its file. */
  source?: SourcePosition | undefined;
}
/** A segment or a flag of a desired state. */
export type DesiredResource = DesiredSegment | DesiredFlag;

/**
 * What LaunchDarkly should hold: for each segment and flag named, exactly these scheduled
 * removals. Resources not named are left alone.
 */
export interface DesiredState {
  /** Each segment and flag the state speaks for, with every scheduled removal it should have. */
  resources: DesiredResource[];
}

/** One problem with a desired state; `line` and `column` are set when it came from a file. */
export interface DesiredStateIssue {
  /** The line in the file (from 1), when the state came from a file. */
  line: number | undefined;
  /** The column in the file (from 1), when the state came from a file. */
  column: number | undefined;
  /** Keys and list indices from the top of the file down to the value at fault. */
  path: (string | number)[];
  /** What is wrong, such as `expiresAt must be an ISO-8601 date-time with a zone …`. */
  message: string;
}

/** Options of reading and checking a desired state. */
export interface DesiredStateOptions {
  /** Accept expiry times that are already past (LaunchDarkly then removes the context at once). Default false. */
  allowPast?: boolean | undefined;
  /** The time "past" is measured from. Default `Date.now()`. */
  now?: number | undefined;
  /**
   * Resources a desired state may name (planning reads each once). Default 1,000; a state naming
   * more is refused unless this is raised (--max-resources on the command line).
   */
  maxResources?: number | undefined;
}

/** Options of {@link parseDesiredState}. */
export interface ParseOptions extends DesiredStateOptions {
  /** The file's name, for messages. */
  fileName?: string | undefined;
  /**
   * `yaml` (default) or `json`. JSON is read with the same schema and positions; text that is
   * YAML but not JSON (comments, unquoted strings, anchors) is refused.
   */
  format?: 'yaml' | 'json' | undefined;
}
