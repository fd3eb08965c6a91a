/**
 * A cheap structural check of an ONNX file before it is read whole: walk the ModelProto's top-level
 * fields (tags and lengths only, a few bytes each) and check every declared length fits the file.
 * A file that is not ONNX fails within its first bytes, so a 2 GB video or zero-filled file opened
 * as a model is refused without reading it (decoding needs the whole file in memory).
 */
import { FileFormatError } from '../errors';
import type { ByteSource } from '../source';

const READER = 'ONNX';

/** ModelProto's fields (onnx.proto) and their wire types: 0 varint, 2 length-delimited. */
const MODEL_FIELDS: Record<number, { name: string; wire: number }> = {
  1: { name: 'ir_version', wire: 0 },
  2: { name: 'producer_name', wire: 2 },
  3: { name: 'producer_version', wire: 2 },
  4: { name: 'domain', wire: 2 },
  5: { name: 'model_version', wire: 0 },
  6: { name: 'doc_string', wire: 2 },
  7: { name: 'graph', wire: 2 },
  8: { name: 'opset_import', wire: 2 },
  14: { name: 'metadata_props', wire: 2 },
  20: { name: 'training_info', wire: 2 },
  25: { name: 'functions', wire: 2 },
};

/** Fields a newer ONNX may add are skipped, but only a few: random bytes would otherwise walk far. */
const MAX_UNKNOWN_FIELDS = 16;
/** Real models have tens of top-level fields (functions and metadata are the repeated ones). */
const MAX_FIELDS = 100_000;

/** Read a varint at `offset` from the source; returns its value and byte length. */
function varintAt(src: ByteSource, offset: number, what: string): { value: number; length: number } {
  const bytes = src.read(offset, Math.min(10, src.size - offset), READER);
  let value = 0;
  let scale = 1;
  for (let i = 0; i < bytes.length; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if ((bytes[i] & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) break;
      return { value, length: i + 1 };
    }
    scale *= 128;
  }
  throw new FileFormatError(
    src.name,
    READER,
    'not-a-model',
    `the ${what} at byte ${offset} is not a valid protobuf varint; this is not an ONNX model`,
  );
}

/**
 * Check the top-level framing of a ModelProto; throws a 'not-a-model' or 'truncated' error naming the
 * offending field and byte offset. Reads at most ~20 bytes per top-level field.
 */
export function checkOnnxFraming(src: ByteSource): void {
  let offset = 0;
  let fields = 0;
  let unknown = 0;
  let sawGraph = false;
  const refuse = (detail: string): never => {
    throw new FileFormatError(src.name, READER, 'not-a-model', `${detail}; this is not an ONNX model`);
  };
  while (offset < src.size) {
    if (++fields > MAX_FIELDS) refuse(`over ${MAX_FIELDS} top-level protobuf fields`);
    const tag = varintAt(src, offset, 'field tag');
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    const at = offset;
    offset += tag.length;
    const known = MODEL_FIELDS[field];
    if (field === 0) refuse(`byte ${at} holds protobuf field number 0`);
    if (known && known.wire !== wire)
      refuse(`the field at byte ${at} is ${known.name} (field ${field}) with wire type ${wire}, not ${known.wire}`);
    if (!known && ++unknown > MAX_UNKNOWN_FIELDS)
      refuse(`more than ${MAX_UNKNOWN_FIELDS} fields ModelProto does not have (field ${field} at byte ${at})`);
    if (field === 7) sawGraph = true;
    if (wire === 0) offset += varintAt(src, offset, `value of field ${field}`).length;
    else if (wire === 1) offset += 8;
    else if (wire === 5) offset += 4;
    else if (wire === 2) {
      const len = varintAt(src, offset, `length of field ${field}`);
      offset += len.length + len.value;
    } else refuse(`the field at byte ${at} has wire type ${wire}, which ONNX never uses`);
    if (offset > src.size) {
      const name = known?.name ?? `field ${field}`;
      throw new FileFormatError(
        src.name,
        READER,
        'truncated',
        `${name} at byte ${at} runs past the end: expected ${offset - src.size} more bytes after byte ${src.size}; the file might be truncated`,
      );
    }
  }
  if (!sawGraph) refuse(`no graph field in ${src.size} bytes`);
}
