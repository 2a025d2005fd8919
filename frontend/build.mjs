// Bundles the panel into the one file the integration serves.
//   node build.mjs          write the bundle
//   node build.mjs --check  fail when the committed bundle differs from a fresh build of the source
//   node build.mjs --unit   compile the unit tests and run them with node's test runner
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const HERE = new URL(".", import.meta.url).pathname;
const OUTPUT = new URL("../custom_components/bellas_reef/frontend/reef-panel.js", import.meta.url);

async function bundle() {
  const result = await build({
    entryPoints: [join(HERE, "src/reef-panel.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    charset: "utf8",
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0].text;
}

async function unit() {
  const tests = (await readdir(join(HERE, "test"))).filter((name) => name.endsWith(".test.ts"));
  const outdir = await mkdtemp(join(tmpdir(), "reef-panel-tests-"));
  try {
    await build({
      entryPoints: tests.map((name) => join(HERE, "test", name)),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outdir,
      outExtension: { ".js": ".mjs" },
      logLevel: "error",
    });
    const compiled = tests.map((name) => join(outdir, name.replace(/\.ts$/, ".mjs")));
    const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...compiled], { stdio: "inherit" });
    return run.status ?? 1;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--unit")) {
  process.exit(await unit());
} else if (process.argv.includes("--check")) {
  const committed = await readFile(OUTPUT, "utf8").catch(() => "");
  if (committed !== (await bundle())) {
    console.error(
      "custom_components/bellas_reef/frontend/reef-panel.js is not the build of frontend/src: run `npm run build` in frontend/",
    );
    process.exit(1);
  }
} else {
  await writeFile(OUTPUT, await bundle());
}
