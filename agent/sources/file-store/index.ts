// The encrypted file store: the public surface used by the agent (createStoreReader) and by
// `hush store` (everything else). See docs/store.md for the format and the threat model.

export { storeErrors, type StoreErrorCode } from './errors';
export {
  credentialsFromEnv,
  stripOneNewline,
  type StoreCredentials,
  type CredentialFileOptions,
} from './credentials';
export { createStoreReader, type StoreReader, type StoreSnapshot, type CountingStoreReader } from './reader';
export {
  createStore,
  openStore,
  openStoreBytes,
  rewriteStore,
  updateEntries,
  setEntry,
  removeEntry,
  changePassphrase,
  rotateKey,
  addRecipient,
  removeRecipient,
  checkNewPassphrase,
  type OpenedFile,
  type WriteOptions,
  type CreateOptions,
} from './store-file';
export { mergeStoreFiles, type MergeOutcome } from './merge-files';
export { parseStore, serializeStore, maxFileBytes, type StoreDoc } from './format';
export { checkName, nameProblem } from './names';
export { maxValueBytes, type EntryValue } from './entries';
export { defaultLogN, minLogN, maxLogN, logNFromEnv } from './kdf-params';
export {
  encodeKey,
  identityFileText,
  parseIdentityText,
  identityPrefix,
  recipientPrefix,
  signerPrefix,
} from './identity';
export { resolveCredentials } from './credentials';
export type { OpenedStore } from './model';
export { KeyCache } from './unlock';
