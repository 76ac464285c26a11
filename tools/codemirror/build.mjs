// `make web`: bundle tools/codemirror/codemirror.js with esbuild (versions pinned by
// package-lock.json) into web/vendor/codemirror/: codemirror.js, the chunks it imports, and
// LICENSES.txt with the license of each package in them. The same lock file gives the same bytes.
//
//   node tools/codemirror/build.mjs           write web/vendor/codemirror/ afresh
//   node tools/codemirror/build.mjs --check   build into a temporary folder and fail when
//                                             web/vendor/codemirror/ differs from it

import { build } from "esbuild";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const VENDOR = join(ROOT, "web", "vendor", "codemirror");

async function bundle(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: ["tools/codemirror/codemirror.js"],
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2020",
    minify: true,
    legalComments: "none", // the licenses go to LICENSES.txt, whole
    outdir,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "error",
  });
  writeFileSync(join(outdir, "LICENSES.txt"), licenses(metafile));
}

// Each package whose code is in the bundle, with its version and its LICENSE file.
function licenses(metafile) {
  const packages = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) packages.add(match[1]);
    }
  }
  const parts = [...packages].sort().map((name) => {
    const folder = join(ROOT, "node_modules", name);
    const { version, license } = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
    const text = file ? readFileSync(join(folder, file), "utf8").trim() : `License: ${license}`;
    return `${name} ${version}\n\n${text}\n`;
  });
  return "The code in this folder is bundled from these npm packages (see tools/codemirror/).\n\n" +
    parts.join("\n" + "-".repeat(72) + "\n\n");
}

function files(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

async function check() {
  const scratch = mkdtempSync(join(tmpdir(), "codemirror-"));
  try {
    const fresh = join(scratch, "codemirror");
    await bundle(fresh);
    let committed = [];
    try { committed = files(VENDOR); } catch { /* missing: every fresh file differs */ }
    const built = files(fresh);
    const differ = [...new Set([...built, ...committed])].filter((name) => !built.includes(name) ||
      !committed.includes(name) || !readFileSync(join(fresh, name)).equals(readFileSync(join(VENDOR, name))));
    if (differ.length) {
      console.error(`web/vendor/codemirror/ is not what \`make web\` builds (${differ.join(", ")}): run \`make web\` and commit it`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv.includes("--check")) await check(); else await bundle(VENDOR);
