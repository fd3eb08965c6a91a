/**
 * Errors raised while reading user files. Every message is a full sentence that names the file,
 * the reader and the offending value, so the UI and the CLI can show it as it is.
 */
export type FileErrorKind = 'unsupported' | 'corrupt' | 'truncated' | 'not-a-model' | 'mismatch' | 'io';

export class FileFormatError extends Error {
  override readonly name = 'FileFormatError';
  constructor(
    readonly file: string,
    readonly reader: string,
    readonly kind: FileErrorKind,
    detail: string,
  ) {
    super(`${reader} reader: ${detail} (in '${file}')`);
  }
}

/** An unsupported operator, attribute or construct in an otherwise valid model. */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
}
