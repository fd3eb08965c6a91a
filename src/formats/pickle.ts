/**
 * A restricted unpickler for tensor checkpoints. It interprets the pickle opcodes
 * (https://github.com/python/cpython/blob/main/Lib/pickletools.py) as data and never executes code:
 * GLOBAL/STACK_GLOBAL resolve only names on an allow-list to JS stand-ins, and anything else is
 * refused with an error naming the global. Nothing is imported, called or opened.
 */
import { FileFormatError } from './errors';

/** A class or function named by the pickle, resolved from the allow-list. */
export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
}

/** The result of calling an allowed global: interpreted by the caller (torch.ts). */
export interface PyCall {
  kind: 'call';
  fn: PyGlobal;
  args: unknown[];
  state?: unknown;
}

export interface PersistentRef {
  kind: 'persistent';
  id: unknown;
}

export type PyDict = Map<unknown, unknown>;

const MARK = Symbol('mark');

export interface UnpickleOptions {
  file: string;
  reader: string;
  /** Allowed "module.name" globals. */
  allowed: ReadonlySet<string>;
  /** Hard cap on operations, so a hostile pickle cannot spin forever. */
  maxOps?: number;
  /** Told the byte position just after STOP (pickles can follow each other in one file). */
  onStop?: (end: number) => void;
}

export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): unknown {
  try {
    return run(bytes, opts);
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    // Any other failure while interpreting opcodes means the data is malformed, not a bug of the caller.
    throw new FileFormatError(opts.file, opts.reader, 'corrupt', `the pickle is malformed (${(e as Error).message})`);
  }
}

function run(bytes: Uint8Array, opts: UnpickleOptions): unknown {
  const fail = (detail: string) => new FileFormatError(opts.file, opts.reader, 'corrupt', detail);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) {
      throw new FileFormatError(
        opts.file,
        opts.reader,
        'truncated',
        `the pickle ends ${pos + n - bytes.length} bytes early (at byte ${pos})`,
      );
    }
  };
  /** Advance past n bytes and return where they start. */
  const skip = (n: number) => {
    need(n);
    pos += n;
    return pos - n;
  };
  const u8 = () => bytes[skip(1)];
  const u16 = () => dv.getUint16(skip(2), true);
  const u32 = () => dv.getUint32(skip(4), true);
  const i32 = () => dv.getInt32(skip(4), true);
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`length ${v} is too large`);
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('a text line has no end');
    const s = utf8(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const pop = () => {
    if (stack.length === 0) throw fail(`stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail(`stack underflow at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw fail(`no MARK on the stack at byte ${pos}`);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const resolve = (module: string, name: string): PyGlobal => {
    const key = `${module}.${name}`;
    if (!opts.allowed.has(key)) {
      throw new FileFormatError(
        opts.file,
        opts.reader,
        'unsupported',
        `the pickle refers to the global '${key}', which a tensor checkpoint never needs; it was not loaded`,
      );
    }
    return { kind: 'global', module, name };
  };
  const asDict = (v: unknown, op: string): PyDict => {
    if (v instanceof Map) return v;
    if (isCall(v) && v.fn.name === 'OrderedDict') {
      // OrderedDict() built by REDUCE: becomes a Map in place.
      return v.state instanceof Map ? v.state : new Map();
    }
    throw fail(`${op} on a non-dict at byte ${pos}`);
  };
  const asList = (v: unknown, op: string): unknown[] => {
    if (Array.isArray(v) && !Object.isFrozen(v)) return v;
    throw fail(`${op} on a non-list at byte ${pos}`);
  };

  const maxOps = opts.maxOps ?? 50_000_000;
  for (let ops = 0; ops < maxOps; ops++) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw fail(`the pickle stopped with ${stack.length} values on the stack`);
        opts.onStop?.(pos);
        return stack[0];
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x49: {
        // INT (text)
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(Number.parseInt(line().replace(/L$/, ''), 10));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(take(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(take(u32())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(utf8(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(utf8(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()));
        break;
      case 0x56: // UNICODE (text, raw-unicode-escape)
        stack.push(line());
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(Object.freeze([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(Object.freeze([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new Map();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top(), 'APPEND').push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        asList(top(), 'APPENDS').push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const target = top();
        for (let i = 0; i + 1 < items.length; i += 2) setItem(target, items[i], items[i + 1]);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw fail('ADDITEMS on a non-set');
        for (const i of items) set.add(i);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw fail(`memo entry ${k} is not defined`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(resolve(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module, name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const fn = pop();
        if (!isGlobal(fn)) throw fail(`${op === 0x52 ? 'REDUCE' : 'NEWOBJ'} on a value that is not an allowed global`);
        if (!Array.isArray(args)) throw fail('REDUCE arguments are not a tuple');
        stack.push(fn.name === 'OrderedDict' ? new Map() : ({ kind: 'call', fn, args: [...args] } satisfies PyCall));
        break;
      }
      case 0x62: {
        // BUILD: set state on the object below
        const state = pop();
        const obj = top();
        if (isCall(obj)) obj.state = state;
        // OrderedDict/Map state (e.g. _metadata) carries nothing a checkpoint needs.
        break;
      }
      case 0x51: // BINPERSID
        stack.push({ kind: 'persistent', id: pop() } satisfies PersistentRef);
        break;
      case 0x50: // PERSID
        stack.push({ kind: 'persistent', id: line() } satisfies PersistentRef);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        throw new FileFormatError(
          opts.file,
          opts.reader,
          'unsupported',
          `pickle opcode 0x${op.toString(16)} at byte ${pos - 1} is not supported`,
        );
    }
  }
  throw fail(`the pickle did not stop within ${maxOps} operations`);

  function setItem(target: unknown, k: unknown, v: unknown): void {
    if (target instanceof Map) target.set(k, v);
    else if (isCall(target) && target.fn.name === 'OrderedDict') {
      if (!(target.state instanceof Map)) target.state = new Map();
      (target.state as Map<unknown, unknown>).set(k, v);
    } else asDict(target, 'SETITEM').set(k, v);
  }
}

export function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === 'object' && v !== null && (v as PyGlobal).kind === 'global';
}

export function isCall(v: unknown): v is PyCall {
  return typeof v === 'object' && v !== null && (v as PyCall).kind === 'call';
}

export function isPersistent(v: unknown): v is PersistentRef {
  return typeof v === 'object' && v !== null && (v as PersistentRef).kind === 'persistent';
}
