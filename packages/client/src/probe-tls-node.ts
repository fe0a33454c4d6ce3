import net from "node:net";
import tls from "node:tls";

/**
 * Whether something at the URL's host and port completes a TLS handshake. Certificates are not
 * checked: the answer only picks an error message, and nothing is sent over the connection.
 */
export function probeTls(url: URL, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = tls.connect({
      host,
      port: Number(url.port || 80),
      ALPNProtocols: ["h2", "http/1.1"],
      rejectUnauthorized: false,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
    });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
  });
}
