export { type BundledFile, bundleConsole, type ConsoleBundle } from "./server/bundle-console.js";
export { type ConsoleRoute, routeConsole } from "./server/console-routes.js";
export { type ConsoleSite, type ConsoleSiteOptions, createConsoleSite } from "./server/console-site.js";
export { CONSOLE_CSP } from "./server/security-headers.js";
