// The app of `hush demo`: prints what it sees in the container (identity, the secrets
// directory, its mount flags) and, with --watch, prints it again on every SIGHUP, the signal
// policies/demo.yaml asks hush to send when the store changes.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const secretsDir = process.env.SECRETS_DIR ?? '/run/secrets';

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

function show(reason: string): void {
  const out: string[] = [`--- ${reason}: pid ${process.pid}, uid ${process.getuid?.()}, hostname ${os.hostname()}`];
  const mount = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === secretsDir);
  if (mount) {
    const [before, after] = mount.split(' - ');
    out.push(`${secretsDir} is ${after.split(' ')[0]} mounted ${before.split(' ')[5]} (${after.split(' ')[2]})`);
  }
  for (const file of listFiles(secretsDir).sort()) {
    const st = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8').trimEnd().replace(/\n/g, '\n    ');
    out.push(`${path.relative(secretsDir, file)} (mode ${(st.mode & 0o777).toString(8)}, ${st.size} bytes):\n    ${text}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

show('started');
if (process.argv.includes('--watch')) {
  process.on('SIGHUP', () => show('SIGHUP: secrets changed'));
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write('watching: change the store in another terminal, e.g.\n' +
    '  echo -n new-value | HUSH_STORE_PASSPHRASE=hush-demo npx hush store set demo/api_key --store policies/demo.hush\n');
  setInterval(() => undefined, 1 << 30);
}
