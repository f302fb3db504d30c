export { createKamailioRpc, type KamailioRpc, type KamailioRpcOptions } from './client';
export {
  KamailioRpcConnectionError,
  KamailioRpcError,
  KamailioRpcFailure,
  KamailioRpcResponseError,
  KamailioRpcTimeoutError,
} from './errors';
export {
  DIALOG_STATES,
  isAnswered,
  type ActiveDialogs,
  type AddressEntry,
  type CoreUptime,
  type Dialog,
  type HtableEntry,
  type HtableItem,
  type SharedMemory,
  type SubnetEntry,
} from './results';
export { DEFAULT_TIMEOUT_MS, type RpcTimers } from './transport';
export { activeDialogs, endCall, type EndCallOutcome } from './end-call';
