// The graph files model.json records (`files`: each name's bytes and SHA-256, written at export by
// smat_model/export/export_onnx.py), read and checked before anything uses them: a damaged or
// swapped graph still loads and runs, and gives wrong mattes without any error. Shared by
// build.mjs (plain Node) and the CLI, so both refuse the same files for the same reasons.
// Generic over the record: a re-export that adds a graph adds a line to `files`, nothing here.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Reads every file in `config.files` from `dir` and checks its size (before reading it, so a huge
 * stray file is never read whole) and SHA-256. `needed` are the names the caller will use; each
 * must be recorded. Never throws for a bad file: the caller words the refusal.
 */
export function readVerifiedModelFiles(dir, config, needed) {
  const files = new Map();
  const missing = [];
  const problems = [];
  const record = config?.files;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    problems.push('model.json has no "files" record of the graphs\' sizes and SHA-256');
    return { files, missing, problems };
  }
  for (const name of needed) {
    if (!Object.hasOwn(record, name)) problems.push(`model.json's "files" record does not list ${name}`);
  }
  for (const [name, entry] of Object.entries(record)) {
    if (typeof name !== 'string' || name === '' || /[\\/]/.test(name) || name === '.' || name === '..') {
      problems.push(`model.json's "files" names ${JSON.stringify(name)}, not a file name next to model.json`);
      continue;
    }
    const bytes = entry?.bytes;
    const sha256 = entry?.sha256;
    if (!Number.isSafeInteger(bytes) || bytes < 0 || typeof sha256 !== 'string' || !SHA256.test(sha256)) {
      problems.push(`model.json's "files" entry for ${name} needs "bytes" (an integer) and "sha256" (64 hex digits)`);
      continue;
    }
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      missing.push(name);
      continue;
    }
    if (!stat.isFile()) {
      problems.push(`${name} is not a regular file`);
      continue;
    }
    if (stat.size !== bytes) {
      problems.push(`${name} is ${stat.size} bytes, model.json records ${bytes}`);
      continue;
    }
    const data = readFileSync(path);
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== sha256) {
      problems.push(`${name}'s SHA-256 is ${actual.slice(0, 12)}…, model.json records ${sha256.slice(0, 12)}…`);
      continue;
    }
    files.set(name, data);
  }
  return { files, missing, problems };
}
