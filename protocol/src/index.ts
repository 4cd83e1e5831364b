// @strata/protocol: RESP2/RESP3 request decoding and reply encoding. Knows nothing of storage.

export {
  RequestDecoder,
  ProtocolError,
  DEFAULT_DECODER_LIMITS,
  type DecoderLimits,
  type DecoderHandlers,
} from './decoder.js';
export { ReplyWriter, type ProtocolVersion } from './encoder.js';
export { formatDouble, formatHumanDouble } from './double-format.js';
