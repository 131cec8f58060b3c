import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  DEFAULT_EXCLUDES,
  chainOfSnapshot,
  checkCarried,
  contentMismatch,
  describeFailure,
  fileAsOf,
  headerMismatch,
  isChainRecordOf,
  measuring,
  openArchive,
  openIndexed,
  openScratchFile,
  planRestore,
  readManifest,
  resolveSnapshot,
  withManifest
} from "./chunk-IKWDMS5Z.js";
import {
  IntegrityError,
  NotFoundError,
  UsageError
} from "./chunk-23W3WYYB.js";

// src/ops/diff.ts
async function manifestEntries(store, snapshot, keys) {
  const { entries } = await readManifest(store, snapshot, keys);
  return new Map(entries.filter((entry) => !isChainRecordOf(snapshot, entry.path)).map((entry) => [entry.path, entry]));
}
function entryDifference(a, b) {
  if (a.type !== b.type) return `type ${a.type} -> ${b.type}`;
  if (a.type === "file" && (a.size !== b.size || a.sha256 !== b.sha256)) return "content";
  if (a.type === "symlink" && a.target !== b.target) return "link target";
  if (a.mode !== b.mode) return `mode ${a.mode} -> ${b.mode}`;
  return void 0;
}
function summarize(from, to, lines) {
  lines.sort((x, y) => x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const line of lines) counts[line.change] += 1;
  return { from, to, lines, counts };
}
async function diffSnapshots(store, fromRef, toRef, keys) {
  const from = await resolveSnapshot(store, fromRef);
  const to = await resolveSnapshot(store, toRef);
  const a = await manifestEntries(store, from, keys);
  const b = await manifestEntries(store, to, keys);
  const lines = [];
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (!other) lines.push({ path: name, change: "removed" });
    else {
      const what = entryDifference(entry, other);
      if (what) lines.push({ path: name, change: "changed", what });
    }
  }
  for (const name of b.keys()) if (!a.has(name)) lines.push({ path: name, change: "added" });
  return summarize(from.id, to.id, lines);
}
async function diffWithFolder(store, reference, folder, keys, protect = []) {
  const plan = await planRestore({
    store,
    reference,
    target: folder,
    delete: true,
    keys,
    allowOutsideSymlinks: true,
    protect,
    exclude: DEFAULT_EXCLUDES
  });
  const lines = [];
  for (const change of plan.changes) {
    if (change.action === "add") lines.push({ path: change.path, change: "removed" });
    else if (change.action === "remove") lines.push({ path: change.path, change: "added" });
    else if (change.action === "change")
      lines.push({ path: change.path, change: "changed", ...change.what ? { what: change.what } : {} });
  }
  return summarize(plan.snapshot.id, plan.target, lines);
}

// src/ops/dump.ts
import { pipeline } from "node:stream/promises";
async function carriedEntry(request, snapshot, wanted) {
  const chain = await chainOfSnapshot(request.store, snapshot);
  const entry = await withManifest(request.store, snapshot, request.keys, async (manifest) => {
    let match;
    for await (const e of manifest.entries) if (e.path === wanted) match = e;
    return match;
  });
  if (!entry || entry.in === void 0 && !entry.delta) return void 0;
  checkCarried(snapshot, chain, entry);
  return { entry, link: entry.delta ? snapshot : chain.find((l) => l.id === entry.in), chain };
}
async function dumpByIndex(request, holder, wanted, staged) {
  const needle = Buffer.from(`"path":${JSON.stringify(wanted)},`);
  const at = Buffer.from('"at":');
  let scan = "looking";
  const { entries, trailer } = await readManifest(request.store, holder, request.keys, {
    keep(line) {
      if (scan === "looking" && line.includes(needle)) scan = "after";
      else if (scan === "after" && line.includes(at)) scan = "done";
      else return scan === "after";
      return true;
    },
    // before the file's line and after its span, only a line with the path is worth a look
    seek: () => scan === "after" ? void 0 : needle
  });
  let entry;
  let to;
  for (const e of entries) {
    if (e.path === wanted && e.delta && !entry) return "delta";
    if (e.in !== void 0 || e.at === void 0) continue;
    if (entry && to === void 0) to = e.at;
    if (e.path === wanted && !entry) entry = e;
  }
  if (entry?.type !== "file" || entry.at === void 0) return void 0;
  const archive = await openIndexed(request.store, holder, request.keys, trailer);
  if (!archive) return void 0;
  try {
    for await (const item of archive.items(entry.at, to, 1)) {
      const mismatch = headerMismatch(item.entry, entry);
      if (mismatch) throw new IntegrityError(mismatch);
      const count = measuring({ bytes: entry.size ?? 0, what: wanted });
      await pipeline(item.body, count.stream, staged.write());
      const { bytes, sha256 } = count.result();
      const problem = contentMismatch(item.entry, entry, bytes, sha256);
      if (problem) throw new IntegrityError(problem);
      return { bytes, sha256 };
    }
  } catch (error) {
    throw describeFailure(holder, "archive.tar.gz.pgp", error);
  }
  return void 0;
}
async function dumpDelta(request, carried, holder, wanted) {
  const source = { store: request.store, keys: request.keys, chain: carried.chain };
  const built = await fileAsOf(source, holder, wanted);
  try {
    const { sha256, size } = built.entry;
    if (sha256 !== carried.entry.sha256 || size !== carried.entry.size || sha256 === void 0 || size === void 0)
      throw new IntegrityError(`${wanted} in the archive of ${holder.id} does not match the manifest it was read by`);
    await pipeline(built.content.read(), request.output, { end: false });
    return { bytes: size, sha256 };
  } finally {
    await built.content.close();
  }
}
async function dumpFile(request) {
  const snapshot = await resolveSnapshot(request.store, request.reference);
  const wanted = request.file.replace(/^\.?\/+/, "").replace(/\/+$/, "");
  const staged = await openScratchFile("dump");
  try {
    let found;
    let other;
    const carried = snapshot.level ? await carriedEntry(request, snapshot, wanted) : void 0;
    const holder = carried?.link ?? snapshot;
    const ranged = carried?.entry.delta ? "delta" : await dumpByIndex(request, holder, wanted, staged);
    if (ranged === "delta") {
      if (!carried)
        throw new IntegrityError(`snapshot ${snapshot.id} is a full one, but lists ${wanted} as a block delta`);
      return { snapshot, ...await dumpDelta(request, carried, holder, wanted) };
    }
    if (ranged) {
      if (carried && (ranged.sha256 !== carried.entry.sha256 || ranged.bytes !== carried.entry.size))
        throw new IntegrityError(
          `${wanted} in the archive of ${holder.id} does not match the manifest of ${snapshot.id}`
        );
      await pipeline(staged.read(), request.output, { end: false });
      return { snapshot, ...ranged };
    }
    const archive = await openArchive(request.store, holder, request.keys);
    try {
      for await (const item of archive.items) {
        if (item.entry.path !== wanted || found) continue;
        if (item.entry.kind !== "file") {
          other = item.entry.kind === "symlink" ? `a symlink to ${item.entry.linkTarget}` : `a ${item.entry.kind}`;
          continue;
        }
        const count = measuring();
        await pipeline(item.body, count.stream, staged.write());
        found = count.result();
      }
      await archive.finish();
      if (carried && found && (found.sha256 !== carried.entry.sha256 || found.bytes !== carried.entry.size))
        throw new IntegrityError(
          `${wanted} in the archive of ${holder.id} does not match the manifest of ${snapshot.id}`
        );
    } catch (error) {
      throw describeFailure(holder, "archive.tar.gz.pgp", error);
    } finally {
      archive.close();
    }
    if (!found) {
      if (other) throw new UsageError(`${wanted} in snapshot ${snapshot.id} is ${other}, not a file`);
      throw new NotFoundError(`snapshot ${snapshot.id} has no file ${wanted} (see ripcord ls ${snapshot.id})`);
    }
    await pipeline(staged.read(), request.output, { end: false });
    return { snapshot, ...found };
  } finally {
    await staged.close();
  }
}

export {
  diffSnapshots,
  diffWithFolder,
  dumpFile
};
