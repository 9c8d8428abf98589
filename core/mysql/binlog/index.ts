/**
 * MySQL/MariaDB binary log decoder: pure functions and a streaming decoder over Buffers (no sockets, no
 * files except the thin readBinlogFile layer). See types.ts for how column values are represented.
 */
export * from './constants';
export * from './event-header';
export { crc32 } from './crc32';
export { BinlogErrorCode, type BinlogErrorContext } from './errors';
export type * from './events';
export type * from './types';
export { isJsonDiff } from './types';
export { type TableMap, type TableMapColumn, TableMapMetadata } from './table-map';
export { decodeEvent, DecoderState, type DecodeOptions, isArtificial } from './decode-event';
export { BinlogDecoder, type BinlogDecoderOptions, decodeBinlogBuffer } from './decoder';
export { readBinlogFile, type ReadFileOptions, type ReadFileResult } from './file-reader';
export { jsonBinaryToText, formatDoubleMysql } from './json-binary';
export { charsetOfCollation } from './charsets';
export { columnHintsFromInformationSchema, parseEnumMembers, type InformationSchemaColumn } from './schema-hints';
