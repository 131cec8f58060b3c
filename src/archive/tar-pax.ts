/** POSIX pax extended headers ('x' for the next entry, 'g' for all that follow): their records and what ripcord takes from them. */
import type { PaxAttributes } from './tar-header.ts';
import { TarFormatError } from './tar-header.ts';

/**
 * Parse pax records "<len> <key>=<value>\n" into `into`. An empty value removes the
 * key. For a global header only path-independent keys are kept.
 */
export function parsePax(data: Buffer, into: PaxAttributes, global: boolean, at: number): void {
  const n = data.length;
  let i = 0;
  while (i < n) {
    if (data[i] === 0) {
      // tolerate NUL padding after the last record, nothing else
      for (let j = i; j < n; j++) if (data[j] !== 0) throw malformedPax(at, 'garbage after NUL');
      return;
    }
    let len = 0;
    let j = i;
    while (j < n) {
      const c = data[j] as number;
      if (c < 0x30 || c > 0x39) break;
      len = len * 10 + (c - 0x30);
      if (len > n) throw malformedPax(at, 'record length beyond the header');
      j++;
    }
    if (j === i || j >= n || data[j] !== 0x20) throw malformedPax(at, 'bad record length');
    const end = i + len;
    if (end > n || end <= j + 2 || data[end - 1] !== 0x0a) throw malformedPax(at, 'record not terminated by a newline');
    const eq = data.indexOf(0x3d, j + 1);
    if (eq < 0 || eq >= end - 1 || eq === j + 1) throw malformedPax(at, 'record without key=value');
    const key = data.toString('utf8', j + 1, eq);
    const value = data.toString('utf8', eq + 1, end - 1);
    applyPax(into, key, value, global, at);
    i = end;
  }
}

function malformedPax(at: number, why: string): TarFormatError {
  return new TarFormatError(`malformed pax header at offset ${at}: ${why}`);
}

function applyPax(into: PaxAttributes, key: string, value: string, global: boolean, at: number): void {
  const unset = value === '';
  switch (key) {
    case 'path':
    case 'linkpath':
      if (value.indexOf('\0') !== -1) throw malformedPax(at, `NUL in ${key}`);
      if (global) return; // a global name would rename every entry: never applied
      if (unset) delete into[key];
      else into[key] = value;
      return;
    case 'size':
      if (global) return;
      if (unset) delete into.size;
      else into.size = paxInteger(value, key, at);
      return;
    case 'uid':
    case 'gid':
      if (unset) delete into[key];
      else into[key] = paxInteger(value, key, at);
      return;
    case 'mtime':
      if (unset) delete into.mtime;
      else into.mtime = paxTime(value, at);
      return;
    case 'uname':
    case 'gname':
      if (unset) delete into[key];
      else into[key] = value;
      return;
    default:
      if (!global && key.startsWith('GNU.sparse.')) into.sparse = true;
  }
}

function paxInteger(value: string, key: string, at: number): number {
  if (value.length > 16 || !/^[0-9]+$/.test(value)) throw malformedPax(at, `bad ${key} ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw malformedPax(at, `absurd ${key} ${value}`);
  return n;
}

function paxTime(value: string, at: number): number {
  if (value.length > 40 || !/^-?[0-9]+(\.[0-9]*)?$/.test(value))
    throw malformedPax(at, `bad mtime ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isFinite(n)) throw malformedPax(at, `bad mtime ${value}`);
  return n;
}
