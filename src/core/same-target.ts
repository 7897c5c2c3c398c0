/**
 * The same-target rule of reading back: an unknown outcome can be decided from the state read
 * back only if no other instruction of the run changes the same target (the state cannot say
 * which of them it shows). An array is at hand whole; a stream keeps the rule as it goes, in
 * fixed memory.
 */
import type { AnyInstruction, ResourceKind } from './resources.js';
import { targetIdentity } from './target-identity.js';
import { hashPair } from './internal/hash.js';
import type { InstructionOutcome } from './results.js';
import { sharedTargets } from './read-back.js';

/** One instruction of a run, from the moment it is read until its fate is final. */
export interface Entry<I> {
  /** What the tally counts this instruction under right now. */
  outcome: InstructionOutcome<I>;
  /** Its target's identity, once reading back may need it. */
  key: string;
  /** Another instruction of the run changes the same target: reading back cannot decide this one. */
  shared: boolean;
  /** Why validation refused it (streams), if it did. */
  problem?: string;
}

/**
 * How a run knows, at reading-back time, whether another of its instructions changes the same
 * target as an unknown one (then the state cannot say which of them it shows).
 */
export interface SameTargetRule<I> {
  /** Notes an instruction about to be sent, in input order. */
  sending(entry: Entry<I>): void;
  /** Notes that an instruction no longer waits for its fate. */
  settled(entry: Entry<I>): void;
  /** Just before `entries` are read back: which of them cannot be decided. */
  undecidable(entries: readonly Entry<I>[]): (entry: Entry<I>) => boolean;
}

/** An array is at hand whole: count the uses of each unknown target over all of it. */
export function arrayRule<I extends AnyInstruction>(resource: ResourceKind, instructions: readonly I[]): SameTargetRule<I> {
  return {
    sending() {},
    settled() {},
    undecidable(entries) {
      const shared = sharedTargets(
        resource,
        entries.map((e) => e.outcome.instruction),
        instructions,
      );
      return (e) => shared.has(targetIdentity(resource, e.outcome.instruction));
    },
  };
}

/**
 * Which targets a stream has sent so far, in fixed memory (2 MiB): a Bloom filter, 4 probes over
 * 2^24 bits. It may say "seen" of a target never sent (rarely below a few million targets, more
 * often beyond), never the reverse; a wrong "seen" only leaves an unknown outcome unknown.
 */
class TargetFilter {
  // Assigned in the constructor, as the page's classes do: a class field would bring the bundler's
  // field helper into a chunk of its own, which the page then loads.
  declare private readonly bits: Uint32Array;
  constructor() {
    this.bits = new Uint32Array(1 << 19);
  }

  /** Records `key`; returns whether it (or a colliding key) was recorded before. */
  add(key: string): boolean {
    const [h1, odd] = hashPair(key);
    const h2 = odd | 1;
    let seen = true;
    for (let probe = 0; probe < 4; probe++) {
      const bit = (h1 + Math.imul(probe, h2)) >>> 8; // 24 bits
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if (((this.bits[word] as number) & mask) === 0) {
        seen = false;
        this.bits[word] = (this.bits[word] as number) | mask;
      }
    }
    return seen;
  }
}

/**
 * A stream is not at hand, so the rule is kept as it goes. An unknown outcome can be decided from
 * the state only if no other instruction of the run changes its target:
 *
 * - none before it: a fixed-size filter of every target sent so far answers "maybe" or "no"
 *   (a wrong "maybe" only leaves the outcome unknown, the safe side);
 * - none after it: every instruction sent while it waits (its batch in flight, or its reading
 *   back pending) is checked against the targets still waiting, and marks both.
 *
 * Fates that are final leave the waiting set; what waits stays bounded, because a stream reads
 * back whenever `STREAM_SETTLE_AT` unknown outcomes have piled up (and at the end).
 */
export function streamRule<I extends AnyInstruction>(resource: ResourceKind): SameTargetRule<I> {
  const sent = new TargetFilter();
  const waiting = new Map<string, Entry<I>[]>();
  return {
    sending(entry) {
      entry.key = targetIdentity(resource, entry.outcome.instruction);
      if (sent.add(entry.key)) entry.shared = true;
      const others = waiting.get(entry.key);
      if (others === undefined) waiting.set(entry.key, [entry]);
      else {
        for (const other of others) other.shared = true;
        entry.shared = true;
        others.push(entry);
      }
    },
    settled(entry) {
      const others = waiting.get(entry.key);
      if (others === undefined) return;
      const rest = others.filter((e) => e !== entry);
      if (rest.length === 0) waiting.delete(entry.key);
      else waiting.set(entry.key, rest);
    },
    undecidable: () => (e) => e.shared,
  };
}

export const noRule: SameTargetRule<never> = { sending() {}, settled() {}, undecidable: () => () => true };
