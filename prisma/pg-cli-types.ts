// Loaded only by the Prisma CLI (prisma.config.ts), never by the app. The schema engine reads pg_catalog
// columns of PostgreSQL's internal types (name, char, int2vector, regproc, oidvector, pg_node_tree, regnamespace),
// which the pg driver adapter cannot map ("Column type 'name' could not be deserialized", prisma/orm#27403).
// Reporting them as text (type id 25) lets migrate deploy, status and diff work over the adapter.
import pg from "pg";

const INTERNAL_TYPE_IDS = new Set([18, 19, 22, 24, 30, 194, 2205]);
const TEXT = 25;

type ResultWithFields = { addFields: (this: ResultWithFields, fields: { dataTypeID: number }[]) => void };
const ResultClass = (pg as unknown as { Result: { prototype: ResultWithFields } }).Result;
const original = ResultClass.prototype.addFields;
ResultClass.prototype.addFields = function addFields(this: ResultWithFields, fields) {
  for (const field of fields) if (INTERNAL_TYPE_IDS.has(field.dataTypeID)) field.dataTypeID = TEXT;
  return original.call(this, fields);
};

// The CLI does not close its pool when it is done, so an idle connection would keep the process alive for the
// pool's idle timeout. Idle connections are unreferenced (they no longer keep Node running); a connection in use is
// referenced again, so nothing exits mid-query.
type Stream = { ref(): void; unref(): void };
type PooledClient = { connection?: { stream?: Stream } };
type Emitter = { emit: (this: Emitter, event: string, ...args: unknown[]) => boolean };
const PoolClass = (pg as unknown as { Pool: { prototype: Emitter } }).Pool;
const originalEmit = PoolClass.prototype.emit;
PoolClass.prototype.emit = function emit(event: string, ...args: unknown[]) {
  const client = (event === "release" ? args[1] : args[0]) as PooledClient | undefined;
  const stream = client?.connection?.stream;
  if (stream && event === "acquire") stream.ref();
  if (stream && event === "release") stream.unref();
  return originalEmit.call(this, event, ...args);
};
