// The expression sandbox: a child process that runs authentik's Python expressions in Pyodide for the server
// (`../sandbox.ts` starts it). It is given no environment, no database and no secrets; Node's permission model
// lets it read only Pyodide's package and this folder, and start no processes. Python never sees a JavaScript
// object: requests and results cross as JSON strings, and helpers that need the server (`ak_user_by`, `requests`…)
// are JSON lines written to a device file, answered synchronously by the parent over a pipe.
//
//   node sandbox-child.mjs <pyodide.mjs path> <runtime.py path> <wasm memory limit in MiB>
//
// File descriptors: 3 = requests from the parent (read asynchronously, one JSON line each), 4 = everything this
// process says (results, helper calls; written synchronously), 5 = the parent's answers to helper calls and
// nested evaluations (read synchronously while Python waits).
import { readFileSync, readSync, writeSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

const REQUESTS_FD = 3;
const OUT_FD = 4;
const ANSWERS_FD = 5;
const [pyodideEntry, runtimePath, memoryLimitMiB] = process.argv.slice(2);
const exit = process.exit.bind(process);
const now = performance.now.bind(performance);

function send(message) {
  const data = Buffer.from(`${JSON.stringify(message)}\n`);
  let offset = 0;
  while (offset < data.length) offset += writeSync(OUT_FD, data, offset);
}

// WebAssembly memory cannot be given back, and Python grows it on demand up to 4 GiB: cap its maximum so that a
// huge allocation is a MemoryError inside Python rather than the machine's memory.
const NativeMemory = WebAssembly.Memory;
const maxPages = Math.max(512, Math.floor(Number(memoryLimitMiB || 512) * 16));
let heap;
function CappedMemory(descriptor) {
  if (descriptor.shared) return new NativeMemory(descriptor);
  heap = new NativeMemory({ ...descriptor, maximum: Math.min(descriptor.maximum ?? maxPages, maxPages) });
  return heap;
}
CappedMemory.prototype = NativeMemory.prototype;
WebAssembly.Memory = CappedMemory;

// Pyodide's NODEFS reads flag constants through process.binding, which the permission model refuses.
process.binding = (name) => {
  if (name === 'constants') return { fs: fsConstants, os: osConstants };
  throw new Error(`process.binding('${name}') is not available in the expression sandbox`);
};

const { loadPyodide } = await import(pathToFileURL(pyodideEntry).href);
const pyodide = await loadPyodide({ jsglobals: {}, stdout: () => {}, stderr: () => {}, env: { HOME: '/home/pyodide' } });
WebAssembly.Memory = NativeMemory;

/**
 * Time limits, innermost last (a nested evaluation, from `ak_call_policy`, never outlives its caller). Python
 * polls the interrupt "buffer" between bytecodes; past the deadline it raises KeyboardInterrupt, again at every
 * poll, until the runtime says the expression's own code has finished (`_end`).
 */
const limits = [];
pyodide.setInterruptBuffer({
  get 0() {
    const top = limits[limits.length - 1];
    if (!top || top.done || now() <= top.deadline) return 0;
    // Once: the expression gets its KeyboardInterrupt; one that swallows it is killed by the parent instead.
    top.done = true;
    return 2;
  },
  set 0(_value) {},
});

// Answers from the parent arrive on a blocking pipe, read while Python waits.
let pending = Buffer.alloc(0);
const chunk = Buffer.alloc(65536);
function readAnswer() {
  for (;;) {
    const newline = pending.indexOf(10);
    if (newline >= 0) {
      const line = pending.subarray(0, newline).toString();
      pending = pending.subarray(newline + 1);
      return JSON.parse(line);
    }
    const read = readSync(ANSWERS_FD, chunk, 0, chunk.length, null);
    if (read === 0) exit(0);
    pending = Buffer.concat([pending, chunk.subarray(0, read)]);
  }
}

let dispatch;
let callCounter = 0;
/** Ids of the evaluations in progress (a nested one on top) and of the helper calls waiting for answers. */
const evaluations = [];
const waitingCalls = [];

/** Starts the time limit of an evaluation; a nested one never outlives its caller. */
function begin(request) {
  const timeoutMs = Number(request.timeoutMs) > 0 ? Number(request.timeoutMs) : 30_000;
  const outer = limits[limits.length - 1];
  limits.push({ deadline: Math.min(now() + timeoutMs, outer ? outer.deadline : Infinity), done: false });
  evaluations.push(request.id);
}

function end() {
  limits.pop();
  evaluations.pop();
}

/** Sends a reply produced by Python, with the heap size the parent watches. */
function sendReply(reply) {
  const out = Buffer.from(`${reply.slice(0, -1)},"memory":${heap ? heap.buffer.byteLength : 0}}\n`);
  let offset = 0;
  while (offset < out.length) offset += writeSync(OUT_FD, out, offset);
}

/**
 * Waits for the parent's answer to a helper call. The parent may first send an evaluation started by that helper
 * (ak_call_policy running an expression policy): it goes back to Python, which runs it and hands its reply over
 * (`_result`) before waiting again. Python, not this code, runs it: the interpreter is inside a system call here.
 */
function waitForAnswer(callId) {
  for (;;) {
    const message = readAnswer();
    if (message.op === 'answer' && message.callId === callId) {
      waitingCalls.pop();
      return { ok: message.ok, value: message.value, error: message.error };
    }
    if (message.op === 'eval' || message.op === 'check') {
      begin(message);
      return { nested: message };
    }
  }
}

/** `/dev/akhost`: Python writes one JSON line per helper call and reads the answer back. */
function hostDevice() {
  const streams = new Map();
  const stateOf = (stream) => {
    let state = streams.get(stream);
    if (!state) streams.set(stream, (state = { input: [], output: Buffer.alloc(0) }));
    return state;
  };
  const exchange = (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      return { ok: false, error: 'malformed helper call' };
    }
    if (request.name === '_result') {
      if (!waitingCalls.length || typeof request.args !== 'string') return { ok: false, error: 'no nested evaluation is running' };
      sendReply(request.args);
      end();
      return waitForAnswer(waitingCalls[waitingCalls.length - 1]);
    }
    const callId = ++callCounter;
    waitingCalls.push(callId);
    send({ op: 'call', id: evaluations[evaluations.length - 1], callId, name: request.name, args: request.args ?? null });
    return waitForAnswer(callId);
  };
  return {
    open(stream) { stateOf(stream); },
    close(stream) { streams.delete(stream); },
    write(stream, buffer, offset, length) {
      const state = stateOf(stream);
      const bytes = Buffer.from(buffer.buffer, buffer.byteOffset + offset, length);
      const newline = bytes.indexOf(10);
      if (newline < 0) {
        state.input.push(Buffer.from(bytes));
        return length;
      }
      const line = Buffer.concat([...state.input, bytes.subarray(0, newline)]).toString();
      state.input = newline + 1 < length ? [Buffer.from(bytes.subarray(newline + 1))] : [];
      state.output = Buffer.from(JSON.stringify(exchange(line)));
      return length;
    },
    read(stream, buffer, offset, length) {
      const state = stateOf(stream);
      const count = Math.min(length, state.output.length);
      buffer.set(state.output.subarray(0, count), offset);
      state.output = state.output.subarray(count);
      return count;
    },
  };
}

const device = pyodide.FS.makedev(64, 0);
pyodide.FS.registerDevice(device, hostDevice());
pyodide.FS.mkdev('/dev/akhost', device);

pyodide.runPython(readFileSync(runtimePath, 'utf8'), { filename: '<ak-runtime>' });
dispatch = pyodide.globals.get('_ak_dispatch');
// Cut Python off from JavaScript: the modules that reach it go, their proxies are destroyed (see runtime.py).
pyodide.unregisterJsModule('js');
pyodide.unregisterJsModule('pyodide_js');
pyodide.globals.get('_ak_seal')();
pyodide.runPython('del _ak_seal, _ak_dispatch');

// What the interpreter could still reach of this process if it ever got hold of a JavaScript object.
for (const name of ['process', 'fetch', 'WebSocket', 'EventSource', 'require', 'module', '_createPyodideModule', 'loadPyodide']) {
  try {
    delete globalThis[name];
  } catch {
    globalThis[name] = undefined;
  }
}

// V8's stack-trace hook hands out the functions and receivers of frames (the way out of most JavaScript
// sandboxes): fix it to nothing before Python could set it through a proxy.
Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

function handle(request, line) {
  begin(request);
  let reply;
  try {
    reply = dispatch(line);
  } catch (err) {
    // Python's own errors are caught in the runtime: this is the interpreter failing (a fatal error, a stack
    // overflow in WebAssembly). Report it and die; the parent starts a fresh process.
    send({ op: 'fatal', id: request.id, error: String(err?.message ?? err).split('\n')[0].slice(0, 500) });
    exit(70);
  } finally {
    end();
  }
  sendReply(reply);
}

const requests = new Socket({ fd: REQUESTS_FD, readable: true, writable: false });
let buffered = '';
requests.setEncoding('utf8');
requests.on('data', (text) => {
  buffered += text;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (line) handle(JSON.parse(line), line);
  }
});
requests.on('end', () => exit(0));
send({ op: 'ready', memory: heap ? heap.buffer.byteLength : 0 });
