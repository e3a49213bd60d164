// The sink port: where rendered files go.

export interface SinkFile {
  bytes: Uint8Array;
  /** Numeric mode, e.g. 0o400. */
  mode: number;
}

export interface SinkResult {
  /** Files whose content changed (or that appeared): the ones the app should hear about. */
  changed: string[];
  /** Files removed because they left the set. */
  removed: string[];
  /** Files that could not be written or removed; their previous content (if any) stays. */
  failed: { file: string; error: Error }[];
}

export interface SecretSink {
  /** Checks the directory with a test write, so that a bad mount fails at start. */
  init(): Promise<void>;
  /**
   * Makes the directory hold exactly `files` (relative path → content): writes what changed,
   * atomically, and removes what it wrote before that is no longer in the set.
   */
  write(files: ReadonlyMap<string, SinkFile>): Promise<SinkResult>;
}
