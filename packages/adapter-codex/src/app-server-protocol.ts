/**
 * The subset of Codex's app-server protocol (v2) the adapter uses. Shapes from the bindings
 * `codex app-server generate-ts` writes for Codex 0.171.0; only the fields read here are typed.
 */

export type AskForApproval = "untrusted" | "on-request" | "never";
export type SandboxMode = "read-only" | "workspace-write" | "danger-full-access";

export interface ThreadParams {
  readonly cwd: string;
  readonly model?: string;
  readonly approvalPolicy: AskForApproval;
  readonly sandbox: SandboxMode;
}

export interface ThreadResponse {
  readonly thread: { readonly id: string };
}

export type UserInput =
  | { readonly type: "text"; readonly text: string; readonly text_elements: readonly never[] }
  | { readonly type: "image"; readonly url: string };

export interface TurnStartResponse {
  readonly turn: { readonly id: string };
}

export type TurnStatus = "completed" | "interrupted" | "failed" | "inProgress";

export interface TurnNotification {
  readonly threadId: string;
  readonly turn: {
    readonly id: string;
    readonly status: TurnStatus;
    readonly error: { readonly message: string; readonly additionalDetails?: string | null } | null;
  };
}

/** A thread item as `item/started` and `item/completed` carry it; `type` picks the variant. */
export interface ThreadItem {
  readonly type: string;
  readonly id: string;
  readonly [field: string]: unknown;
}

export interface ItemNotification {
  readonly threadId: string;
  readonly turnId: string;
  readonly item: ThreadItem;
}

export interface DeltaNotification {
  readonly threadId: string;
  readonly turnId: string;
  readonly itemId: string;
  readonly delta: string;
}

export interface PlanNotification {
  readonly threadId: string;
  readonly turnId: string;
  readonly plan: readonly { readonly step: string; readonly status: string }[];
}

export interface ErrorNotification {
  readonly threadId: string;
  readonly turnId: string;
  readonly willRetry: boolean;
  readonly error: { readonly message: string };
}

export interface CommandApprovalParams {
  readonly threadId: string;
  readonly turnId: string;
  readonly itemId: string;
  readonly approvalId?: string | null;
  readonly reason?: string | null;
  readonly command?: string | null;
  readonly cwd?: string | null;
  readonly availableDecisions?: readonly unknown[] | null;
}

export interface FileChangeApprovalParams {
  readonly threadId: string;
  readonly turnId: string;
  readonly itemId: string;
  readonly reason?: string | null;
  readonly grantRoot?: string | null;
}

/** `decline` refuses the one action and lets the model go on; `cancel` would end the turn. */
export type ApprovalDecision = "accept" | "acceptForSession" | "decline" | "cancel";
