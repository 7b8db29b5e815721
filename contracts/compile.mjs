// Compiles contracts/src/*.sol offline with the npm `solc` (solc-js) compiler through standard JSON and writes
// one artifact per contract to contracts/build/ (or --out DIR): ABI, creation and runtime bytecode, the exact
// compiler settings, and the SHA-256 of every source file that went into it (ours and OpenZeppelin's), so the
// C# side can tell whether an artifact still matches the sources it was compiled from.
//
//   node contracts/compile.mjs [--out DIR]
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
const require = createRequire(import.meta.url);
const solc = require('solc');

const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(here, 'build');

// Changing any of these changes the bytecode; they are recorded in every artifact.
const settings = {
  evmVersion: 'shanghai',
  optimizer: { enabled: true, runs: 10000 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

const srcDir = join(here, 'src');
const sources = {};
for (const file of readdirSync(srcDir).filter(f => f.endsWith('.sol')).sort()) {
  sources[`contracts/src/${file}`] = { content: readFileSync(join(srcDir, file), 'utf8') };
}

const used = new Map(); // repo-relative path -> content
for (const [path, { content }] of Object.entries(sources)) used.set(path, content);

function findImports(importPath) {
  const candidates = [join(repoRoot, importPath), join(repoRoot, 'node_modules', importPath)];
  for (const candidate of candidates) {
    if (existsSync(candidate)) {
      const content = readFileSync(candidate, 'utf8');
      used.set(relative(repoRoot, candidate).split('\\').join('/'), content);
      return { contents: content };
    }
  }
  return { error: `not found: ${importPath} (run npm ci)` };
}

const input = { language: 'Solidity', sources, settings };
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors ?? []).filter(e => e.severity === 'error');
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

const sourceHashes = Object.fromEntries(
  [...used.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => [path, createHash('sha256').update(content, 'utf8').digest('hex')]),
);

mkdirSync(outDir, { recursive: true });
for (const [path, contracts] of Object.entries(output.contracts)) {
  if (!path.startsWith('contracts/src/')) continue;
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      sourceName: path,
      compiler: { version: solc.version(), settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer } },
      sources: sourceHashes,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + '\n');
    console.log(`${name}: ${c.evm.deployedBytecode.object.length / 2} bytes runtime -> ${relative(process.cwd(), join(outDir, name + '.json'))}`);
  }
}
