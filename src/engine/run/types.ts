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
  /** Hosts where it was not run: an earlier, interrupted attempt is still running there (or could not be checked). */
  readonly held?: readonly string[];
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
/** Hosts on which a `continue_on_error` step did not succeed during a play (the run went on). */
export interface ToleratedFailure {
  readonly stepId: string;
  /** Host name -> the status it ended in (failed, unreachable or interrupted). */
  readonly hosts: Readonly<Record<string, HostStatus>>;
}

/**
 * Why play stopped. `tolerated`: the continue_on_error steps that failed on some host before it
 * stopped, whatever the reason it stopped (they decide the exit code too).
 */
export type PlayStop = { readonly tolerated?: readonly ToleratedFailure[] } & (
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly stepId: string; readonly hosts?: Readonly<Record<string, HostStatus>> }
  | { readonly kind: 'confirm'; readonly stepId: string; readonly reason: string }
  | { readonly kind: 'interrupted'; readonly stepId: string; readonly hosts: readonly string[]; readonly held?: boolean }
  | { readonly kind: 'paused'; readonly stepId?: string }
  | { readonly kind: 'aborted'; readonly stepId: string }
  | { readonly kind: 'state-error'; readonly message: string }
);

/** Pending host list a step would run on, after the session filter and state. */
export interface StepPlanHost {
  readonly host: Host;
  readonly status: HostStatus;
  readonly changed: boolean;
}

/** What a step would run on one host after templating (for previews, plan and confirm dialogs). */
export type RenderedStep =
  | {
      readonly ok: true; readonly host: string; readonly script: string; readonly unless?: string; readonly verify?: string; readonly fileContent?: string;
      /** Placeholders shown for values earlier steps have not captured yet (`<token: captured by step get-token>`), as plan shows them. */
      readonly pending?: readonly string[];
    }
  | { readonly ok: false; readonly host: string; readonly error: string };

/**
 * The engine's command surface. The headless `runbook run` and the Ink player both drive this;
 * its live effects are visible in the RunStore (src/engine/store.ts).
 */
export interface PlayerController {
  /** Host objects the step targets, after the session host filter. */
  targets(stepId: string): readonly Host[];
  /** Render the step for one host (captures known so far included). Never throws. */
  render(stepId: string, host: string): RenderedStep;
  /** Run one step on its pending targets (or opts.hosts). Resolves when every host settled. */
  runStep(stepId: string, opts?: RunStepOptions): Promise<StepOutcome>;
  /** Run pending steps in order from `fromStepId` (default: first not done) until a stop. */
  play(opts?: { fromStepId?: string; yes?: boolean; retryInterrupted?: boolean }): Promise<PlayStop>;
  /** Let the running step finish, then stop play. */
  pause(): void;
  /** Abort the running step: signal remote processes, mark those hosts failed (aborted). */
  abort(): void;
  /** Record the step skipped on the given hosts (default: all its targets). */
  skip(stepId: string, hosts?: readonly string[]): Promise<void>;
  /** Record that the operator did the step by hand on this host. */
  markDone(stepId: string, host: string): Promise<void>;
  /** Forget the records of a step (all hosts or one), so it runs again. */
  reset(stepId?: string, host?: string): Promise<void>;
  /** Provide a value for a variable nothing defines (kept in memory only). */
  setVar(name: string, value: string): void;
  /**
   * Set the variable in memory and save it to the runbook's vars file for next time (merged,
   * 0600); resolves with the path of that file. Rejects with BadInputError for a secret-looking
   * name: secrets are kept in memory only.
   */
  saveVar(name: string, value: string): Promise<string>;
  /** Variables that some step needs and nothing defines. */
  missingVars(): readonly string[];
  /**
   * The source text (info string and body, as written) the step had when its records were made,
   * when that differs from its current hash and the state kept it (the latest such record wins);
   * undefined when the step is unchanged or the old text is unknown (state written before texts).
   */
  previousText(stepId: string): string | undefined;
  /** Stop everything and release connections and the state lock. */
  close(): Promise<void>;
}
