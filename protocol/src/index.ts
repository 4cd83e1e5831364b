// @strata/protocol: RESP2/RESP3 request decoding and reply encoding. Knows nothing of storage.

export { RequestDecoder, ProtocolError, type DecoderLimits, type DecoderHandlers } from './decoder.js';
export { ReplyWriter, type ProtocolVersion } from './encoder.js';
