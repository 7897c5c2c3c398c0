/** `<segment|flag> update`: move a scheduled removal to a new time. */
import { changeCommand } from './change.js';

export const update = changeCommand(
  'update',
  'move a scheduled removal to a new time',
  'Moves the scheduled removal of each --context to a new time.',
);
