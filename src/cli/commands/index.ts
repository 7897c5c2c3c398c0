/**
 * Every command, once, in the order the overview lists them. A new command is a file in this
 * folder (its options, help, exit codes, parse and run, declared with `defineCommand`) and one
 * line here.
 */
import type { AnyCommand } from '../command.js';
import { add } from './add.js';
import { apply } from './apply.js';
import { exportCommand } from './export.js';
import { list } from './list.js';
import { plan } from './plan.js';
import { remove } from './remove.js';
import { report } from './report.js';
import { sync } from './sync.js';
import { update } from './update.js';

export const COMMANDS: readonly AnyCommand[] = [list, add, update, remove, apply, plan, sync, report, exportCommand];
