import { EventType, type TurnPermissionRequestPayload } from "@openaxon/protocol/vocabulary";
import type { PermissionDecision, PermissionRequest } from "./agent-adapter.js";
import type { AxonLinkEvent } from "./axon-link.js";
import type { EventPublisher } from "./event-publisher.js";
import type { PendingPermissions } from "./pending-permissions.js";
import { autoAllow, deny, type PermissionPolicy } from "./permission-policy.js";
import type { RunningTurn } from "./running-turn.js";
import { parseJsonObject } from "./triggers.js";

/**
 * The agent's permission requests under the mount's policy: auto_allow and deny answer at once;
 * ask publishes `turn.permission.request` and waits for the USER's `permission.response`.
 */
export class PermissionDesk {
  constructor(
    private readonly policy: PermissionPolicy,
    private readonly pending: PendingPermissions,
    private readonly publisher: EventPublisher,
    /** Reports a response the broker cannot use, as `broker.error`. */
    private readonly reportError: (message: string) => void,
  ) {}

  async decide(running: RunningTurn, request: PermissionRequest): Promise<PermissionDecision> {
    if (this.policy === "auto_allow") return autoAllow(request);
    if (this.policy === "deny") return deny(request);
    running.permissionCount++;
    const requestId = `perm_${running.turn.triggerSequence}_${running.permissionCount}`;
    const decision = this.pending.wait(requestId, request);
    const payload: TurnPermissionRequestPayload = {
      turn_id: running.turn.turnId,
      request_id: requestId,
      tool_call: {
        tool_call_id: request.toolCall.toolCallId,
        title: request.toolCall.title,
        kind: request.toolCall.kind,
        status: request.toolCall.status,
        ...(request.toolCall.input === undefined ? {} : { input: request.toolCall.input }),
      },
      options: request.options.map((o) => ({ option_id: o.optionId, name: o.name, kind: o.kind })),
    };
    await this.publisher.agent(EventType.TurnPermissionRequest, payload);
    return decision;
  }

  /** A USER `permission.response`: answers the waiting request it names. */
  answer(event: AxonLinkEvent): void {
    const body = parseJsonObject(event.payload);
    const requestId = body?.request_id;
    if (typeof requestId !== "string") return;
    let result: ReturnType<PendingPermissions["answer"]>;
    if (typeof body?.option_id === "string")
      result = this.pending.answer(requestId, { optionId: body.option_id });
    else if (body?.outcome === "rejected") result = this.pending.answer(requestId, { outcome: "rejected" });
    else result = "invalid";
    if (result === "invalid") {
      this.reportError(
        `permission.response at sequence ${event.sequence} for ${requestId} names no option the agent offered; the request still waits`,
      );
    }
  }
}
