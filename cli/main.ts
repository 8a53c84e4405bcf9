// Entry point behind bin/smat.mjs. Every failure ends as one line on stderr and exit code 1,
// so scripts can rely on the status.
import { errorMessage } from '../core/errors';
import { UsageError } from './args';
import { matteCommand, MATTE_USAGE } from './matte-command';

// eval-command is loaded on demand: `matte` must not depend on the metrics module.
const evalModule = () => import('./eval-command');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // Something the user caused and should know, that does not stop the command.
  const note = (line: string) => process.stderr.write(`smat: note: ${line}\n`);
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      log(
        `smat: cut objects out of photos with the SMat matting model.\n\n${MATTE_USAGE}\n\n${(await evalModule()).EVAL_USAGE}`,
      );
      return command ? 0 : 1;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      log(command === 'eval' ? (await evalModule()).EVAL_USAGE : MATTE_USAGE);
      return 0;
    }
    if (command === 'matte') await matteCommand(rest, log, note);
    else if (command === 'eval') await (await evalModule()).evalCommand(rest, log, note);
    else throw new UsageError(`unknown command "${command}" (expected matte or eval)`);
    return 0;
  } catch (err) {
    const message = errorMessage(err);
    const hint = err instanceof UsageError ? ` (smat ${command === 'eval' ? 'eval' : 'matte'} --help for usage)` : '';
    process.stderr.write(`smat: error: ${message.split('\n')[0]}${hint}\n`);
    if (process.env.SMAT_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
