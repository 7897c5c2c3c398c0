/** `<segment|flag> add`: schedule when contexts stop being targeted. */
import { changeCommand } from './change.js';

export const add = changeCommand(
  'add',
  'schedule when contexts stop being targeted',
  'Schedules when each --context stops being targeted by the RESOURCE.',
);
