// Pure: a profile file's text → a SeccompProfile, checked field by field. A bad one is refused
// with one line naming the file and the field (`--seccomp p.json: syscalls[3].action: ...`).
// Unknown fields are refused too: a misspelt key would otherwise change the filter silently.

import { runErrors } from './errors';
import { actionBase, architectures, operators, type SeccompArg, type SeccompFilterCondition, type SeccompProfile, type SeccompSyscall } from './seccomp-profile';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  constructor(private readonly source: string) {}
  fail(field: string, message: string): never {
    throw runErrors.HUSH_ERR_RUN_SECCOMP_PROFILE(`${this.source}: ${field}: ${message}`);
  }
  object(v: Json, field: string, keys: readonly string[]): Record<string, Json> {
    if (!isObject(v)) this.fail(field, 'expected an object');
    for (const key of Object.keys(v)) if (!keys.includes(key)) this.fail(field ? `${field}.${key}` : key, 'unknown field');
    return v;
  }
  string(v: Json, field: string): string {
    if (typeof v !== 'string' || v === '') this.fail(field, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }
  strings(v: Json, field: string): string[] {
    if (!Array.isArray(v)) this.fail(field, 'expected an array of strings');
    return v.map((item, i) => this.string(item, `${field}[${i}]`));
  }
  integer(v: Json, field: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) this.fail(field, `expected an integer 0..${max}, got ${JSON.stringify(v)}`);
    return v;
  }
  condition(v: Json, field: string): SeccompFilterCondition {
    const o = this.object(v, field, ['caps', 'arches', 'minKernel']);
    return {
      caps: o.caps === undefined ? undefined : this.strings(o.caps, `${field}.caps`),
      arches: o.arches === undefined ? undefined : this.strings(o.arches, `${field}.arches`),
      minKernel: o.minKernel === undefined ? undefined : this.kernel(o.minKernel, `${field}.minKernel`),
    };
  }
  kernel(v: Json, field: string): string {
    const text = this.string(v, field);
    if (!/^\d+\.\d+$/.test(text)) this.fail(field, `expected a kernel version like "5.8", got ${JSON.stringify(text)}`);
    return text;
  }
  action(v: Json, field: string): string {
    const text = this.string(v, field);
    if (text === 'SCMP_ACT_NOTIFY') this.fail(field, 'SCMP_ACT_NOTIFY needs a listener, which hush does not run');
    if (!(text in actionBase)) this.fail(field, `expected one of ${Object.keys(actionBase).join(', ')}, got "${text}"`);
    return text;
  }
}


/** Parses and checks a profile file's text; `source` names it in errors. */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  const c = new Checker(source);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return c.fail('(file)', `not JSON: ${(err as Error).message}`);
  }
  const o = c.object(json, '', ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'flags', 'listenerPath', 'listenerMetadata']);
  if (o.defaultAction === undefined) c.fail('defaultAction', 'missing');
  if (o.listenerPath !== undefined) c.fail('listenerPath', 'a seccomp notify listener is not supported');
  if (o.flags !== undefined && c.strings(o.flags, 'flags').length > 0) c.fail('flags', 'filter flags are not supported');
  const archMap = o.archMap === undefined ? undefined : arrayOf(c, o.archMap, 'archMap', (v, field) => {
    const entry = c.object(v, field, ['architecture', 'subArchitectures']);
    return {
      architecture: archName(c, entry.architecture, `${field}.architecture`),
      subArchitectures: entry.subArchitectures === undefined || entry.subArchitectures === null ? undefined : c.strings(entry.subArchitectures, `${field}.subArchitectures`).map((a, i) => archName(c, a, `${field}.subArchitectures[${i}]`)),
    };
  });
  const syscalls = o.syscalls === undefined || o.syscalls === null ? [] : arrayOf(c, o.syscalls, 'syscalls', (v, field) => parseSyscall(c, v, field));
  return {
    defaultAction: c.action(o.defaultAction, 'defaultAction'),
    defaultErrnoRet: o.defaultErrnoRet === undefined ? undefined : c.integer(o.defaultErrnoRet, 'defaultErrnoRet', 4095),
    architectures: o.architectures === undefined || o.architectures === null ? undefined : c.strings(o.architectures, 'architectures').map((a, i) => archName(c, a, `architectures[${i}]`)),
    archMap,
    syscalls,
  };
}

function arrayOf<T>(c: Checker, v: Json, field: string, each: (item: Json, field: string) => T): T[] {
  if (!Array.isArray(v)) c.fail(field, 'expected an array');
  return v.map((item, i) => each(item, `${field}[${i}]`));
}

function archName(c: Checker, v: Json, field: string): string {
  const name = c.string(v, field);
  if (!(name in architectures)) c.fail(field, `unknown architecture "${name}"`);
  return name;
}

function parseSyscall(c: Checker, v: Json, field: string): SeccompSyscall {
  const o = c.object(v, field, ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes']);
  const names = o.names !== undefined ? c.strings(o.names, `${field}.names`) : o.name !== undefined ? [c.string(o.name, `${field}.name`)] : c.fail(`${field}.names`, 'missing');
  const args = o.args === undefined || o.args === null ? undefined : arrayOf(c, o.args, `${field}.args`, (a, argField) => {
    const arg = c.object(a, argField, ['index', 'value', 'valueTwo', 'op']);
    const op = c.string(arg.op, `${argField}.op`);
    if (!operators.includes(op)) c.fail(`${argField}.op`, `expected one of ${operators.join(', ')}, got "${op}"`);
    return {
      index: c.integer(arg.index, `${argField}.index`, 5),
      value: c.integer(arg.value, `${argField}.value`),
      valueTwo: arg.valueTwo === undefined ? undefined : c.integer(arg.valueTwo, `${argField}.valueTwo`),
      op: op as SeccompArg['op'],
    };
  });
  return {
    names,
    action: c.action(o.action, `${field}.action`),
    errnoRet: o.errnoRet === undefined ? undefined : c.integer(o.errnoRet, `${field}.errnoRet`, 4095),
    args,
    includes: o.includes === undefined ? undefined : c.condition(o.includes, `${field}.includes`),
    excludes: o.excludes === undefined ? undefined : c.condition(o.excludes, `${field}.excludes`),
  };
}
