export interface VerifiedModelFiles {
  /** The recorded files whose size and SHA-256 match, by name. */
  files: Map<string, Buffer>;
  /** Recorded files that are not there. */
  missing: string[];
  /** One readable line per file (or record entry) that does not match. */
  problems: string[];
}
export function readVerifiedModelFiles(dir: string, config: unknown, needed: readonly string[]): VerifiedModelFiles;
