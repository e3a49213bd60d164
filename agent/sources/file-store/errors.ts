// The file store's errors (HUSH_ERR_STORE_<WHAT>) are defined in the agent's registry
// (agent/errors.ts); re-exported here, with the short name `E` the store's files use.

import { storeErrors } from '../../errors';

export { storeErrors, storeErrors as E };
export type StoreErrorCode = keyof typeof storeErrors;
