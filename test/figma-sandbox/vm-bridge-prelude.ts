// The VM half of the host bridge (see quickjs-host-bridge.ts), evaluated inside QuickJS before the
// plugin's code. Host objects appear in the VM as Proxies whose traps ask the host; plain data
// (paints, transforms, messages) is copied across as JSON, bytes as ArrayBuffers. Written in plain
// ES2017 so it runs wherever the plugin code itself must run.
export const VM_BRIDGE_PRELUDE = `
(function (global, hostOp, hostLog) {
  var proxies = new Map();      // host ref id -> proxy
  var refOfProxy = new WeakMap(); // proxy -> host ref id
  var fns = new Map();          // VM function id -> function, for the host to call back
  var fnIds = new Map();
  var nextFn = 1;
  var symbols = new Map();      // host symbol id -> VM symbol
  var symbolIds = new Map();
  var promises = new Map();     // host promise id -> {resolve, reject}

  function encode(value) {
    var bufs = [];
    var json = JSON.stringify({ v: value }, function (key, v) {
      if (v === undefined) return { __undef: 1 };
      if (typeof v === 'symbol') {
        if (!symbolIds.has(v)) throw new Error('bridge: a VM-made symbol cannot cross to the host');
        return { __sym: symbolIds.get(v) };
      }
      if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
        if (refOfProxy.has(v)) return { __ref: refOfProxy.get(v) };
        if (typeof v === 'function') {
          if (!fnIds.has(v)) { fnIds.set(v, nextFn); fns.set(nextFn, v); nextFn++; }
          return { __fn: fnIds.get(v) };
        }
        if (v instanceof Uint8Array) {
          bufs.push(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
          return { __bin: bufs.length - 1 };
        }
        if (v instanceof ArrayBuffer) { bufs.push(v.slice(0)); return { __bin: bufs.length - 1 }; }
      }
      return v;
    });
    return [json].concat(bufs);
  }

  function decode(parts) {
    var bufs = parts.slice(1);
    // -> the host's envelope {v: value, e: error message or null}
    return JSON.parse(parts[0], function (key, v) {
      if (v === null || typeof v !== 'object') return v;
      if ('__undef' in v) return undefined;
      if ('__ref' in v) return proxyFor(v.__ref, v.fn === 1);
      if ('__bin' in v) return new Uint8Array(bufs[v.__bin]);
      if ('__sym' in v) {
        if (!symbols.has(v.__sym)) { var s = Symbol(v.desc); symbols.set(v.__sym, s); symbolIds.set(s, v.__sym); }
        return symbols.get(v.__sym);
      }
      if ('__promise' in v) {
        return new Promise(function (resolve, reject) { promises.set(v.__promise, { resolve: resolve, reject: reject }); });
      }
      return v;
    });
  }

  function ask(op) {
    var reply = decode(hostOp.apply(null, encode(op)));
    if (reply.e !== null) throw new Error(reply.e);
    return reply.v;
  }

  function proxyFor(id, callable) {
    if (proxies.has(id)) return proxies.get(id);
    var target = callable ? function () {} : {};
    var proxy = new Proxy(target, {
      get: function (t, key) {
        if (typeof key === 'symbol') return undefined;
        return ask({ op: 'get', ref: id, key: key });
      },
      set: function (t, key, value) {
        ask({ op: 'set', ref: id, key: String(key), value: value });
        return true;
      },
      has: function (t, key) {
        return typeof key === 'string' && ask({ op: 'has', ref: id, key: key });
      },
      apply: function (t, self, args) {
        return ask({ op: 'call', ref: id, self: self, args: Array.prototype.slice.call(args) });
      },
    });
    proxies.set(id, proxy);
    refOfProxy.set(proxy, id);
    return proxy;
  }

  global.__bridge = {
    root: function (id) { return proxyFor(id, false); },
    callFn: function () {
      var args = decode(Array.prototype.slice.call(arguments, 1)).v;
      return encode(fns.get(arguments[0]).apply(undefined, args));
    },
    settle: function () {
      var id = arguments[0], ok = arguments[1];
      var value = decode(Array.prototype.slice.call(arguments, 2)).v;
      var p = promises.get(id);
      promises.delete(id);
      if (ok) p.resolve(value); else p.reject(new Error(value));
    },
  };
  function line(args) { return Array.prototype.map.call(args, String).join(' '); }
  global.console = {
    log: function () { hostLog('log', line(arguments)); },
    info: function () { hostLog('log', line(arguments)); },
    warn: function () { hostLog('warn', line(arguments)); },
    error: function () { hostLog('error', line(arguments)); },
  };
})(globalThis, globalThis.__hostOp, globalThis.__hostLog);
delete globalThis.__hostOp;
delete globalThis.__hostLog;
`;
