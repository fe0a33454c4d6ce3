/**
 * Turns a stream of refused connections into episodes, so an operator gets one log line when the
 * connection limit starts biting rather than one per refused connection (which under a flood
 * would itself be a denial of service on the log).
 */
export class ConnectionLimitEpisodes {
  private inEpisode = false;

  /** A connection was refused. True when this starts an episode (log it). */
  refusedOne(): boolean {
    if (this.inEpisode) return false;
    this.inEpisode = true;
    return true;
  }

  /** A connection closed and `open` remain: the episode ends once one can be accepted again. */
  closed(open: number, limit: number): void {
    if (!this.inEpisode || open >= limit) return;
    this.inEpisode = false;
  }
}
