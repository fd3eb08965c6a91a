/**
 * PyTorch checkpoints: the zip format (torch ≥ 1.6: archive/data.pkl + archive/data/<key>) and the
 * legacy format (a chain of pickles followed by raw storages). Pickles go through the restricted
 * unpickler; tensors are read lazily from their storages.
 */
import { FileFormatError } from './errors';
import { isCall, isPersistent, type PyCall, unpickle } from './pickle';
import type { ByteSource } from './source';
import { DTYPE_BYTES, type DType, type LazyTensor, stridedTensor } from './tensor';
import type { ZipArchive } from './zip';

const READER = 'PyTorch';

const STORAGES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch.Size',
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

const LEGACY_MAGIC = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

interface Storage {
  dtype: DType;
  /** Byte offset of element 0 in the source. */
  base: number;
  numel: number;
}

export function isPytorchZip(archive: ZipArchive): string | null {
  for (const name of archive.entries.keys())
    if (name.endsWith('/data.pkl') && name.split('/').length === 2) return name.slice(0, -'data.pkl'.length);
  return null;
}

/** Open a zip-format checkpoint; `prefix` is the archive folder ('archive/' or the file's stem). */
export function readPytorchZip(archive: ZipArchive, prefix: string): unknown {
  const src = archive.source;
  const pkl = archive.read(`${prefix}data.pkl`, 1 << 30);
  const storages = new Map<string, Storage>();
  const storageFor = (id: unknown): Storage => {
    const [tag, type, key, , numel] = id as [string, unknown, string, string, number];
    if (tag !== 'storage' || typeof key !== 'string')
      throw new FileFormatError(src.name, READER, 'corrupt', `unexpected persistent id ${JSON.stringify(id)}`);
    const cached = storages.get(key);
    if (cached) return cached;
    const dtype = storageDtype(type, src.name);
    const entry = archive.entries.get(`${prefix}data/${key}`);
    if (!entry) throw new FileFormatError(src.name, READER, 'corrupt', `storage '${key}' is missing from the archive`);
    if (entry.method !== 0)
      throw new FileFormatError(
        src.name,
        READER,
        'unsupported',
        `storage '${key}' is compressed; torch writes storages uncompressed`,
      );
    const n = typeof numel === 'number' ? numel : entry.size / DTYPE_BYTES[dtype];
    if (n * DTYPE_BYTES[dtype] > entry.size) {
      throw new FileFormatError(
        src.name,
        READER,
        'corrupt',
        `storage '${key}' declares ${n} ${dtype} elements but holds ${entry.size} bytes`,
      );
    }
    const storage = { dtype, base: archive.dataOffset(entry), numel: n };
    storages.set(key, storage);
    return storage;
  };
  const root = unpickle(pkl, { file: src.name, reader: READER, allowed: ALLOWED_GLOBALS });
  return rebuild(root, src, storageFor, '');
}

export function isLegacyPytorch(head: Uint8Array): boolean {
  // The first pickle is the magic number 0x1950a86a20f9469cfc6c as a LONG1.
  if (head[0] !== 0x80 || head[2] !== 0x8a || head[3] !== 0x0a) return false;
  return LEGACY_MAGIC.every((b, i) => head[4 + i] === b);
}

/** Open a legacy checkpoint: magic, protocol, sys_info, the object, the storage keys, the storages. */
export function readPytorchLegacy(src: ByteSource): unknown {
  // The pickles sit at the start; read a growing head until they all parse.
  for (let headLen = Math.min(src.size, 1 << 20); ; headLen = Math.min(src.size, headLen * 4)) {
    const head = src.read(0, headLen, READER);
    try {
      return parseLegacy(src, head);
    } catch (e) {
      if (!(e instanceof FileFormatError && e.kind === 'truncated') || headLen === src.size) throw e;
    }
  }
}

function parseLegacy(src: ByteSource, head: Uint8Array): unknown {
  let pos = 0;
  const next = () => {
    const { value, end } = unpickleWithEnd(head.subarray(pos), src.name);
    pos += end;
    return value;
  };
  next(); // magic
  const protocol = next();
  if (protocol !== 1001)
    throw new FileFormatError(
      src.name,
      READER,
      'unsupported',
      `legacy protocol version ${String(protocol)} (expected 1001)`,
    );
  next(); // sys_info
  const seen = new Map<string, Storage>();
  const rootRaw = next();
  const keys = next();
  if (!Array.isArray(keys))
    throw new FileFormatError(src.name, READER, 'corrupt', 'the storage key list is not a list');
  // Find each referenced storage's type, then walk the storages: an int64 element count, then data.
  const types = new Map<string, DType>();
  collectPersistent(rootRaw, (id) => {
    const [tag, type, key] = id as [string, unknown, string];
    if (tag === 'storage') types.set(String(key), storageDtype(type, src.name));
  });
  let offset = pos;
  for (const key of keys) {
    const dtype = types.get(String(key));
    if (!dtype)
      throw new FileFormatError(src.name, READER, 'corrupt', `storage '${String(key)}' is listed but never used`);
    const countBytes = src.read(offset, 8, READER);
    const numel = Number(new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, true));
    const bytes = numel * DTYPE_BYTES[dtype];
    if (numel < 0 || offset + 8 + bytes > src.size) {
      throw new FileFormatError(
        src.name,
        READER,
        'truncated',
        `storage '${String(key)}' declares ${numel} elements: expected ${offset + 8 + bytes - src.size} more bytes; the file might be truncated`,
      );
    }
    seen.set(String(key), { dtype, base: offset + 8, numel });
    offset += 8 + bytes;
  }
  return rebuild(
    rootRaw,
    src,
    (id) => {
      const key = String((id as unknown[])[2]);
      const s = seen.get(key);
      if (!s) throw new FileFormatError(src.name, READER, 'corrupt', `storage '${key}' has no data`);
      return s;
    },
    '',
  );
}

function unpickleWithEnd(bytes: Uint8Array, file: string): { value: unknown; end: number } {
  // The STOP opcode ends a pickle; find it by parsing, then measure how far parsing went.
  let end = 0;
  const value = unpickle(bytes, { file, reader: READER, allowed: ALLOWED_GLOBALS, onStop: (p) => (end = p) });
  return { value, end };
}

function collectPersistent(v: unknown, visit: (id: unknown) => void, depth = 0): void {
  if (depth > 200) return;
  if (isPersistent(v)) visit(v.id);
  else if (v instanceof Map) for (const x of v.values()) collectPersistent(x, visit, depth + 1);
  else if (Array.isArray(v)) for (const x of v) collectPersistent(x, visit, depth + 1);
  else if (isCall(v)) {
    for (const x of v.args) collectPersistent(x, visit, depth + 1);
  }
}

function storageDtype(type: unknown, file: string): DType {
  const name =
    typeof type === 'object' && type !== null && 'name' in type
      ? String((type as { name: string }).name)
      : String(type);
  const dtype = STORAGES[name];
  if (!dtype) throw new FileFormatError(file, READER, 'unsupported', `unsupported storage type '${name}'`);
  return dtype;
}

/** Turn rebuild calls into lazy tensors and OrderedDicts into Maps, recursively. */
function rebuild(v: unknown, src: ByteSource, storageFor: (id: unknown) => Storage, path: string, depth = 0): unknown {
  if (depth > 100) throw new FileFormatError(src.name, READER, 'corrupt', 'the object nests more than 100 levels deep');
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, x] of v)
      out.set(k, rebuild(x, src, storageFor, path ? `${path}.${String(k)}` : String(k), depth + 1));
    return out;
  }
  if (Array.isArray(v)) return v.map((x, i) => rebuild(x, src, storageFor, `${path}.${i}`, depth + 1));
  if (isCall(v)) return rebuildCall(v, src, storageFor, path, depth);
  return v;
}

function rebuildCall(
  c: PyCall,
  src: ByteSource,
  storageFor: (id: unknown) => Storage,
  path: string,
  depth: number,
): unknown {
  const name = `${c.fn.module}.${c.fn.name}`;
  if (name === 'torch._utils._rebuild_parameter') return rebuild(c.args[0], src, storageFor, path, depth + 1);
  if (name === 'torch.Size') return Array.isArray(c.args[0]) ? [...c.args[0]] : [];
  if (name === 'torch._utils._rebuild_tensor_v2' || name === 'torch._utils._rebuild_tensor') {
    const [storageRef, offset, size, stride] = c.args as [unknown, number, number[], number[]];
    if (!isPersistent(storageRef))
      throw new FileFormatError(src.name, READER, 'corrupt', `tensor '${path}' has no storage`);
    const shape = Array.isArray(size) ? size.map(Number) : [];
    const strides = Array.isArray(stride) ? stride.map(Number) : [];
    if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || strides.length !== shape.length) {
      throw new FileFormatError(
        src.name,
        READER,
        'corrupt',
        `tensor '${path}' has an invalid shape [${shape.join(', ')}] or strides`,
      );
    }
    const s = storageFor(storageRef.id);
    return stridedTensor(
      src,
      READER,
      path,
      s.dtype,
      s.base,
      s.numel,
      Number(offset),
      shape,
      strides,
    ) satisfies LazyTensor;
  }
  return c;
}
