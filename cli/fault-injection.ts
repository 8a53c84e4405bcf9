// A seam for the fault-injection tests (test/cli-faults.test.ts): a full disk or an interrupt in
// the middle of writing an output cannot be produced on demand without root, so the atomic writer
// asks here whether to fail or stall after some bytes. Off unless SMAT_TEST_FAULT is set:
//   SMAT_TEST_FAULT=enospc-after:N   the write fails as on a full disk after N bytes
//   SMAT_TEST_FAULT=stall-after:N    the write stops after N bytes for a minute (to be interrupted)

export interface WriteFault {
  kind: 'enospc' | 'stall';
  afterBytes: number;
}

export function writeFault(): WriteFault | null {
  const m = /^(enospc|stall)-after:(\d+)$/.exec(process.env.SMAT_TEST_FAULT ?? '');
  return m ? { kind: m[1] as WriteFault['kind'], afterBytes: Number(m[2]) } : null;
}

/** The error a full disk gives, as Node reports it. */
export function diskFullError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write');
  err.code = 'ENOSPC';
  return err;
}
