#!/usr/bin/env node
// `smat` command: runs the TypeScript CLI through tsx's loader, so no build step is needed after
// npm install. The loader is registered in-process (not a child process) to keep exit codes and
// signals simple.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
