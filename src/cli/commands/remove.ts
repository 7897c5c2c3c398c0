/** `<segment|flag> remove`: cancel a scheduled removal; the context stays targeted. */
import { changeCommand } from './change.js';

export const remove = changeCommand(
  'remove',
  'cancel a scheduled removal (the context stays targeted)',
  'Cancels the scheduled removal of each --context; it stays targeted.',
);
