import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseEnv, buildStoreCli, runCli, tempDir, writeIdentity } from './store-helpers';

let build: string;
const runtimes: string[] = [];
beforeAll(async () => {
  build = await buildStoreCli();
});
afterAll(() => {
  for (const dir of runtimes) fs.rmSync(dir, { recursive: true, force: true }); // tmpfs is memory
});

// The scripted editor. EDIT_MODE picks what it does; $STATE/count counts invocations.
const editorScript = `#!/bin/sh
file="$1"
n=$(cat "$STATE/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$STATE/count"
echo "$file" >> "$STATE/files"
case "$EDIT_MODE" in
  change) sed -i 's/^a=.*/a=changed/; /^b=/d' "$file"; printf '%s\\n' 'c="new\\nline"' >> "$file" ;;
  badthenfix)
    if [ "$n" = 1 ]; then echo 'broken line' >> "$file"
    else grep -q '^# ERROR: edit: line' "$file" && touch "$STATE/saw-error"; sed -i '/^broken line$/d' "$file"; echo 'fixed=yes' >> "$file"; fi ;;
  alwaysbad) if [ "$n" = 1 ]; then echo 'broken line' >> "$file"; fi ;;
  fail) exit 3 ;;
  nothing) : ;;
  empty) : > "$file" ;;
  concurrent) printf 'other' | node "$CLI" store set other && sed -i 's/^a=.*/a=mine/' "$file" ;;
  conflict)
    if [ "$n" = 1 ]; then printf 'theirs' | node "$CLI" store set a && sed -i 's/^a=.*/a=mine/' "$file"
    else cp "$file" "$STATE/conflict-view"; sed -i '/^<<<<<<< /d; /^=======/,/^>>>>>>> /d' "$file"; fi ;;
  hang) echo $$ > "$STATE/editor-pid"; exec sleep 30 ;;
esac
`;

function setup() {
  const dir = tempDir();
  const state = path.join(dir, 'state');
  fs.mkdirSync(state);
  const runtime = fs.mkdtempSync('/dev/shm/hush-edit-test-');
  runtimes.push(runtime);
  const editor = path.join(dir, 'editor.sh');
  fs.writeFileSync(editor, editorScript, { mode: 0o755 });
  const store = path.join(dir, 's.hush');
  const id = writeIdentity(dir);
  const env = baseEnv({
    HUSH_STORE: store, HUSH_STORE_IDENTITY: id.file, EDITOR: editor, STATE: state, XDG_RUNTIME_DIR: runtime,
    CLI: path.join(build, 'launcher/cli.js'),
  });
  const hush = (args: string[], extra: Record<string, string> = {}, input = '') => runCli(build, ['store', ...args], { env: { ...env, ...extra }, input });
  const get = async (name: string) => {
    const r = await hush(['get', name]);
    return r.code === 0 ? r.stdout.toString() : undefined;
  };
  const leftovers = () => fs.readdirSync(path.join(runtime, 'hush'));
  const editedFiles = () => fs.readFileSync(path.join(state, 'files'), 'utf8').trim().split('\n');
  return { dir, state, runtime, store, env, hush, get, leftovers, editedFiles, recipient: id.recipient };
}

async function seeded() {
  const s = setup();
  expect((await s.hush(['init', '--recipient', s.recipient])).code).toBe(0);
  fs.writeFileSync(path.join(s.dir, 'seed.env'), 'a=1\nb=2\n');
  expect((await s.hush(['import', path.join(s.dir, 'seed.env')])).code).toBe(0);
  return s;
}

describe('hush store edit', () => {
  it('applies edits from the editor, on tmpfs only, and removes the directory', async () => {
    const s = await seeded();
    const r = await s.hush(['edit'], { EDIT_MODE: 'change' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('saved 3 change(s)');
    expect(await s.get('a')).toBe('changed');
    expect(await s.get('b')).toBeUndefined();
    expect(await s.get('c')).toBe('new\nline');
    const [file] = s.editedFiles();
    expect(file!.startsWith(path.join(s.runtime, 'hush', 'edit-'))).toBe(true);
    expect(s.leftovers()).toEqual([]);
    expect(fs.statSync(path.join(s.runtime, 'hush')).mode & 0o777).toBe(0o700);
  });

  it('re-opens the editor on a parse error until the file parses', async () => {
    const s = await seeded();
    const r = await s.hush(['edit'], { EDIT_MODE: 'badthenfix' });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(s.state, 'count'), 'utf8').trim()).toBe('2');
    expect(fs.existsSync(path.join(s.state, 'saw-error'))).toBe(true);
    expect(await s.get('fixed')).toBe('yes');
    expect(s.leftovers()).toEqual([]);
  });

  it('gives up when the editor leaves the same broken file twice, and changes nothing', async () => {
    const s = await seeded();
    const before = fs.readFileSync(s.store);
    const r = await s.hush(['edit'], { EDIT_MODE: 'alwaysbad' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^hush: store: editor: the file still does not parse/);
    expect(fs.readFileSync(s.store)).toEqual(before);
    expect(s.leftovers()).toEqual([]);
  });

  it.each([
    ['fail', 1, 'exited with status 3'],
    ['nothing', 0, 'no changes'],
    ['empty', 0, 'no entries left'],
  ])('leaves the store unchanged when the editor does "%s"', async (mode, status, message) => {
    const s = await seeded();
    const before = fs.readFileSync(s.store);
    const r = await s.hush(['edit'], { EDIT_MODE: mode as string });
    expect(r.code).toBe(status);
    expect(r.stderr).toContain(message);
    expect(fs.readFileSync(s.store)).toEqual(before);
    expect(s.leftovers()).toEqual([]);
  });

  it('merges a set made by someone else while the editor was open', async () => {
    const s = await seeded();
    const r = await s.hush(['edit'], { EDIT_MODE: 'concurrent' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('merged with changes made meanwhile');
    expect(await s.get('a')).toBe('mine');
    expect(await s.get('other')).toBe('other');
    expect(await s.get('b')).toBe('2');
  });

  it('shows a conflict on the same entry to the user and applies the resolution', async () => {
    const s = await seeded();
    const r = await s.hush(['edit'], { EDIT_MODE: 'conflict' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('"a" changed on both sides');
    const view = fs.readFileSync(path.join(s.state, 'conflict-view'), 'utf8');
    expect(view).toContain('<<<<<<< yours\na=mine\n=======\na=theirs\n>>>>>>> store\n');
    expect(await s.get('a')).toBe('mine');
    expect(s.leftovers()).toEqual([]);
  });

  it('refuses a disk-backed temp dir unless --allow-disk-temp', async () => {
    const s = await seeded();
    const disk = path.join(s.dir, 'runtime');
    fs.mkdirSync(disk, { mode: 0o700 });
    const refused = await s.hush(['edit'], { EDIT_MODE: 'change', XDG_RUNTIME_DIR: disk });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('disk-backed');
    expect(fs.existsSync(path.join(s.state, 'count'))).toBe(false);
    const allowed = await s.hush(['edit', '--allow-disk-temp'], { EDIT_MODE: 'change', XDG_RUNTIME_DIR: disk });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(fs.readdirSync(path.join(disk, 'hush'))).toEqual([]);
  });

  it('removes its directory when killed by SIGTERM, and sweeps directories of killed runs', async () => {
    const s = await seeded();
    const stale = path.join(s.runtime, 'hush', 'edit-999999999-abcdef');
    fs.mkdirSync(stale, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.join(s.runtime, 'hush'), 0o700);
    fs.writeFileSync(path.join(stale, 's.hush.env'), 'a=plaintext-left-behind\n');
    const child = spawn(process.execPath, [path.join(build, 'launcher/cli.js'), 'store', 'edit'], {
      env: { ...s.env, EDIT_MODE: 'hang' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    // 'exit', not 'close': the orphaned editor still holds the inherited stderr pipe
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const pidFile = path.join(s.state, 'editor-pid');
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(stale)).toBe(false); // swept at start
    expect(s.leftovers()).toHaveLength(1); // the live edit
    child.kill('SIGTERM');
    expect(await closed).toBe('SIGTERM');
    expect(s.leftovers()).toEqual([]);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });
});
