import { createHash, timingSafeEqual } from "node:crypto";
import type { Rng } from "@openaxon/core";

/** What a runtime puts in its proxy URL: `http://<username>:<password>@host:port`. */
export interface ProxyCredential {
  readonly username: string;
  readonly password: string;
}

/**
 * Per-runtime proxy credentials. The agent's HTTP_PROXY URL carries `runtime_id:password`, which
 * every client sends as `Proxy-Authorization: Basic …`; that is how the proxy knows whose policy
 * applies. Only a hash of each password is kept, and comparisons are constant-time.
 */
export class ProxyCredentials {
  readonly #digests = new Map<string, Buffer>();

  constructor(private readonly rng: Rng) {}

  /** Issues (or reissues, invalidating the old one) the credential for a runtime. */
  issue(runtimeId: string): ProxyCredential {
    if (!/^[A-Za-z0-9_.-]+$/.test(runtimeId))
      throw new Error("runtime ids must be URL-safe (A-Z a-z 0-9 _ . -)");
    const password = Buffer.from(this.rng.bytes(32)).toString("base64url");
    this.#digests.set(runtimeId, digest(password));
    return { username: runtimeId, password };
  }

  revoke(runtimeId: string): void {
    this.#digests.delete(runtimeId);
  }

  /** The runtime a `Proxy-Authorization` header value authenticates, if any. */
  verify(header: string | undefined): string | undefined {
    const match = /^basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? "");
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const runtimeId = decoded.slice(0, colon);
    const expected = this.#digests.get(runtimeId);
    if (!expected) return undefined;
    return timingSafeEqual(expected, digest(decoded.slice(colon + 1))) ? runtimeId : undefined;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
