import type { Host, HostStatus } from '../types.js';

/** Aggregate outcome of running one step on its targeted hosts. */
export interface StepOutcome {
  readonly stepId: string;
  /** Per host name, the status the host ended in. */
  readonly hosts: Readonly<Record<string, HostStatus>>;
  /** True when at least one host failed and the step is not continue_on_error. */
  readonly failed: boolean;
  /** True when the run was aborted by the operator. */
  readonly aborted: boolean;
}

export interface RunStepOptions {
  /** Only these host names (already resolved); default: the step's targets within the session filter. */
  readonly hosts?: readonly string[];
  /** Run even on hosts whose record says done. */
  readonly force?: boolean;
  /** The operator said yes to the step's confirm. */
  readonly confirmed?: boolean;
}

/** Why play() stopped. */
export type PlayStop =
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly stepId: string }
  | { readonly kind: 'confirm'; readonly stepId: string; readonly reason: string }
  | { readonly kind: 'interrupted'; readonly stepId: string; readonly hosts: readonly string[] }
  | { readonly kind: 'paused'; readonly stepId?: string }
  | { readonly kind: 'aborted'; readonly stepId: string }
  | { readonly kind: 'state-error'; readonly message: string };

/** Pending host list a step would run on, after the session filter and state. */
export interface StepPlanHost {
  readonly host: Host;
  readonly status: HostStatus;
  readonly changed: boolean;
}
