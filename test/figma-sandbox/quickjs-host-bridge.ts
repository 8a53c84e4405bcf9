// The host half of the bridge that lets plugin code in QuickJS use objects living in Node (the
// typed fake Figma API). Its VM half is vm-bridge-prelude.ts. What crosses:
//   - objects with behaviour (class instances, objects with methods or accessors, functions) stay
//     where they are and cross as references: the other side sees a Proxy / a wrapper function;
//   - plain data (arrays, paints, transforms, messages) is copied as JSON, so the VM, like Figma's,
//     gets copies of `fills` and must assign a new array to change them;
//   - Uint8Array / ArrayBuffer as raw bytes, symbols (figma.mixed) by identity, promises by settling
//     a VM-side promise when the host one settles.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';

type Encoded = { json: string; bufs: ArrayBuffer[] };

interface Op {
  op: 'get' | 'set' | 'has' | 'call';
  ref: number;
  key?: string;
  value?: unknown;
  self?: unknown;
  args?: unknown[];
}

export class QuickJsHostBridge {
  private refs = new Map<number, unknown>();
  private refIds = new Map<unknown, number>();
  private symbols = new Map<number, symbol>();
  private symbolIds = new Map<symbol, number>();
  private nextId = 1;
  private vmFunctions = new Map<number, (...args: unknown[]) => unknown>();
  private bridge: QuickJSHandle | null = null;
  /** Errors thrown by VM callbacks the host invoked (onmessage): the test reports them. */
  readonly vmErrors: string[] = [];

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly runtime: QuickJSRuntime,
  ) {}

  /** Installs __hostOp / __hostLog and runs the VM prelude. */
  install(prelude: string, onLog: (level: string, line: string) => void): void {
    const { ctx } = this;
    const hostOp = ctx.newFunction('__hostOp', (jsonHandle, ...bufHandles) => {
      const request = this.decode(
        ctx.getString(jsonHandle),
        bufHandles.map((h) => this.copyBuffer(h)),
      ) as Op;
      let reply: Encoded;
      try {
        reply = this.encode(this.perform(request));
      } catch (error) {
        reply = this.encode(undefined, error instanceof Error ? error.message : String(error));
      }
      return this.toVmParts(reply);
    });
    ctx.setProp(ctx.global, '__hostOp', hostOp);
    hostOp.dispose();
    const hostLog = ctx.newFunction('__hostLog', (level, line) => {
      onLog(ctx.getString(level), ctx.getString(line));
    });
    ctx.setProp(ctx.global, '__hostLog', hostLog);
    hostLog.dispose();
    this.unwrap(ctx.evalCode(prelude, 'vm-bridge-prelude.js'), 'prelude').dispose();
    this.bridge = ctx.getProp(ctx.global, '__bridge');
  }

  /** Makes `object` a VM global under `name` (as a reference: the VM sees a Proxy). */
  exposeGlobal(name: string, object: object): void {
    const root = this.ctx.getProp(this.bridge!, 'root');
    const id = this.ctx.newNumber(this.refIdOf(object));
    const proxy = this.unwrap(this.ctx.callFunction(root, this.ctx.undefined, id), `root ${name}`);
    this.ctx.setProp(this.ctx.global, name, proxy);
    for (const h of [root, id, proxy]) h.dispose();
  }

  /** Runs every queued VM job (promise reactions); the plugin's async code advances here. */
  drain(): void {
    for (;;) {
      const result = this.runtime.executePendingJobs();
      if (result.error) {
        const message = this.ctx.dump(result.error);
        result.error.dispose();
        this.vmErrors.push(typeof message === 'object' ? JSON.stringify(message) : String(message));
        continue;
      }
      const n = result.value;
      if (n === 0) return;
    }
  }

  dispose(): void {
    this.bridge?.dispose();
    this.bridge = null;
  }

  // ---------------------------------------------------------------- host side of operations

  private perform(request: Op): unknown {
    const target = this.refs.get(request.ref) as Record<string, unknown> & ((...a: unknown[]) => unknown);
    if (target === undefined) throw new Error(`bridge: unknown host reference ${request.ref}`);
    switch (request.op) {
      case 'get':
        return target[request.key!];
      case 'set':
        target[request.key!] = request.value;
        return undefined;
      case 'has':
        return request.key! in target;
      case 'call':
        return Reflect.apply(target, request.self, request.args ?? []);
    }
  }

  private refIdOf(value: unknown): number {
    return this.idIn(this.refIds, this.refs, value);
  }

  private symbolIdOf(value: symbol): number {
    return this.idIn(this.symbolIds, this.symbols, value);
  }

  /** The same value keeps its id; ids come from the one counter promises also draw from. */
  private idIn<T>(ids: Map<T, number>, byId: Map<number, T>, value: T): number {
    let id = ids.get(value);
    if (id === undefined) {
      id = this.nextId++;
      ids.set(value, id);
      byId.set(id, value);
    }
    return id;
  }

  // ---------------------------------------------------------------- encoding

  /** `{v: value, e: error}` as JSON + buffers; the VM throws `e` when it is not null. */
  private encode(value: unknown, error: string | null = null): Encoded {
    const bufs: ArrayBuffer[] = [];
    const settleLater: Array<[number, Promise<unknown>]> = [];
    const envelope = { v: value, e: error };
    const json = JSON.stringify(envelope, (_key, v: unknown) => {
      if (v === envelope) return v;
      if (v === undefined) return { __undef: 1 };
      if (typeof v === 'symbol') return { __sym: this.symbolIdOf(v), desc: v.description };
      if (v instanceof Uint8Array) {
        bufs.push(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
        return { __bin: bufs.length - 1 };
      }
      if (v instanceof ArrayBuffer) {
        bufs.push(v.slice(0));
        return { __bin: bufs.length - 1 };
      }
      if (v instanceof Promise) {
        const id = this.nextId++;
        settleLater.push([id, v]);
        return { __promise: id };
      }
      if (typeof v === 'function') return { __ref: this.refIdOf(v), fn: 1 };
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && hasBehaviour(v))
        return { __ref: this.refIdOf(v) };
      return v;
    });
    // The VM registers each promise while decoding this reply; settle them only afterwards.
    for (const [id, promise] of settleLater) {
      promise.then(
        (result) => this.settle(id, true, result),
        (error: unknown) => this.settle(id, false, error instanceof Error ? error.message : String(error)),
      );
    }
    return { json, bufs };
  }

  private decode(json: string, bufs: ArrayBuffer[]): unknown {
    return (
      JSON.parse(json, (_key, v: unknown) => {
        if (v === null || typeof v !== 'object') return v;
        const o = v as Record<string, number>;
        if ('__undef' in o) return undefined;
        if ('__ref' in o) return this.refs.get(o.__ref);
        if ('__bin' in o) return new Uint8Array(bufs[o.__bin]);
        if ('__sym' in o) return this.symbols.get(o.__sym);
        if ('__fn' in o) return this.vmFunction(o.__fn);
        return v;
      }) as { v: unknown }
    ).v;
  }

  /** A host function that calls back into the VM (e.g. `figma.ui.onmessage`). */
  private vmFunction(id: number): (...args: unknown[]) => unknown {
    let fn = this.vmFunctions.get(id);
    if (!fn) {
      fn = (...args: unknown[]) => {
        const { ctx } = this;
        const callFn = ctx.getProp(this.bridge!, 'callFn');
        const idHandle = ctx.newNumber(id);
        const parts = this.fromHostParts(this.encode(args));
        const result = ctx.callFunction(callFn, ctx.undefined, idHandle, ...parts);
        for (const h of [callFn, idHandle, ...parts]) h.dispose();
        if (result.error) {
          const message = ctx.dump(result.error);
          result.error.dispose();
          this.vmErrors.push(typeof message === 'object' ? JSON.stringify(message) : String(message));
          this.drain();
          throw new Error(`plugin code threw: ${JSON.stringify(message)}`);
        }
        const value = this.readVmParts(result.value);
        result.value.dispose();
        this.drain();
        return value;
      };
      this.vmFunctions.set(id, fn);
    }
    return fn;
  }

  private settle(id: number, ok: boolean, value: unknown): void {
    const { ctx } = this;
    const settle = ctx.getProp(this.bridge!, 'settle');
    const idHandle = ctx.newNumber(id);
    const okHandle = ok ? ctx.true : ctx.false;
    const parts = this.fromHostParts(this.encode(value));
    const result = ctx.callFunction(settle, ctx.undefined, idHandle, okHandle, ...parts);
    for (const h of [settle, idHandle, ...parts]) h.dispose();
    if (result.error) {
      this.vmErrors.push(String(JSON.stringify(ctx.dump(result.error))));
      result.error.dispose();
    } else result.value.dispose();
    this.drain();
  }

  // ---------------------------------------------------------------- handles

  private fromHostParts(encoded: Encoded): QuickJSHandle[] {
    return [this.ctx.newString(encoded.json), ...encoded.bufs.map((b) => this.ctx.newArrayBuffer(b))];
  }

  /** [json, ...bufs] as one VM array: what __hostOp returns. */
  private toVmParts(encoded: Encoded): QuickJSHandle {
    const array = this.ctx.newArray();
    this.fromHostParts(encoded).forEach((h, i) => {
      this.ctx.setProp(array, i, h);
      h.dispose();
    });
    return array;
  }

  /** A VM array [json, ...bufs] (what bridge.callFn returns) -> host value. */
  private readVmParts(array: QuickJSHandle): unknown {
    const { ctx } = this;
    const lengthHandle = ctx.getProp(array, 'length');
    const length = ctx.getNumber(lengthHandle);
    lengthHandle.dispose();
    const parts = Array.from({ length }, (_, i) => ctx.getProp(array, i));
    const json = ctx.getString(parts[0]);
    const bufs = parts.slice(1).map((h) => this.copyBuffer(h));
    for (const h of parts) h.dispose();
    return this.decode(json, bufs);
  }

  private copyBuffer(handle: QuickJSHandle): ArrayBuffer {
    const lifetime = this.ctx.getArrayBuffer(handle);
    const copy = lifetime.value.slice().buffer as ArrayBuffer;
    lifetime.dispose();
    return copy;
  }

  private unwrap(result: ReturnType<QuickJSContext['evalCode']>, what: string): QuickJSHandle {
    if (result.error) {
      const message = this.ctx.dump(result.error);
      result.error.dispose();
      throw new Error(`${what} failed in QuickJS: ${JSON.stringify(message)}`);
    }
    return result.value;
  }
}

/** Class instances and objects with methods or accessors are live objects, not data to copy. */
function hasBehaviour(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return true;
  return Object.getOwnPropertyNames(value).some((key) => {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    return d.get !== undefined || d.set !== undefined || typeof d.value === 'function';
  });
}
