// `npm run pack [-- --no-build]`: builds, then writes an installable tarball of every public package to
// .pack/ and prints their sizes. `npm install .pack/*.tgz` in any directory installs them together.
import { fileURLToPath } from "node:url";
import { packTarballs } from "./pack-tarballs.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const outDir = fileURLToPath(new URL("../../.pack", import.meta.url));
const tarballs = packTarballs(root, outDir, { build: !process.argv.includes("--no-build") });
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const tarball of tarballs) {
  console.log(
    `${tarball.name.padEnd(32)} ${kib(tarball.size).padStart(10)} (${kib(tarball.unpackedSize)} unpacked)`,
  );
}
const total = tarballs.reduce((sum, tarball) => sum + tarball.size, 0);
console.log(`${tarballs.length} tarballs in .pack/, ${kib(total)} in all`);
