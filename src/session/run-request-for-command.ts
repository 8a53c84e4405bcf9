// manifest.json menu commands and the relaunch button -> what to run once the UI is ready.
// Any other command (none: launched from the plugin list) just opens the panel.
import type { RunRequest } from './matte-session';

export function runRequestForCommand(command: string): RunRequest | null {
  switch (command) {
    case 'auto-matte':
      return { mode: 'auto' };
    case 'matte-with-prompts':
      return { mode: 'prompts' };
    case 'refine':
      return { mode: 'refine' };
    default:
      return null;
  }
}
