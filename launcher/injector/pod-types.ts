// The few parts of a Kubernetes Pod the injector reads or writes. Everything else in the
// object passes through untouched, so these types stay open.

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  [field: string]: unknown;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  volumeMounts?: VolumeMount[];
  securityContext?: SecurityContext;
  [field: string]: unknown;
}

export interface Volume {
  name: string;
  [field: string]: unknown;
}

export interface Pod {
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
    securityContext?: SecurityContext;
    [field: string]: unknown;
  };
}

/** One RFC 6902 operation; the injector only ever adds. */
export interface PatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}
