/**
 * Lets every promise chain the simulated world has started run to completion. The world uses no
 * real timers and no network, so once the microtask queue is empty it is quiescent — except for
 * the runtime's few filesystem calls (working directory, agent binary lookup), which it makes one
 * at a time; settling waits for those too, so their completion is ordered like everything else.
 * This is the harness's only contact with the real event loop; it carries no time (the world's
 * time is the SimClock's).
 */
export async function settle(): Promise<void> {
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!process.getActiveResourcesInfo().some((r) => r.startsWith("FSReq"))) return;
  }
}
