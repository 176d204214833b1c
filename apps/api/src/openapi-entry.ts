import type { Access, ApiOperation, Method, Tag } from "./openapi.js";

/** "PATCH /items/{id}": an operation's method and its path below /api/v1, as tests and logs name it. */
export type OperationKey = `${Uppercase<Method>} /${string}`;

/** What the entries of a group share: the tag and, for a run of like operations, who may call and the region check. */
export interface Common {
  tag: Tag;
  access?: Access;
  scope?: string;
}

/**
 * A registry entry as written: `key` for method and path; tag (and access, scope) from its group;
 * `errors` without the 404 that path parameters imply.
 */
export type Entry = Omit<ApiOperation, "method" | "path" | "tag" | "access"> & { key: OperationKey; access?: Access };

/**
 * Registry entries of one group. The usual entry takes JSON (path and query parameters, a body
 * with a working example) and answers JSON; errorStatuses adds the errors any entry can meet (400,
 * 401, 403). Here a path that names a record adds its 404, so `errors` lists only what is peculiar
 * to the operation (a stale version's 409, a file's 413 …).
 */
export function entries(common: Common, list: readonly Entry[]): ApiOperation[] {
  return list.map(({ key, errors, ...entry }) => {
    const space = key.indexOf(" ");
    const access = entry.access ?? common.access;
    if (!access) throw new Error(`${key}: no access (say who may call, in the entry or its group)`);
    const all = new Set([...(entry.params ? [404] : []), ...(errors ?? [])]);
    return {
      ...(common.scope !== undefined ? { scope: common.scope } : {}),
      ...entry,
      method: key.slice(0, space).toLowerCase() as Method,
      path: key.slice(space + 1),
      tag: common.tag,
      access,
      ...(all.size ? { errors: [...all].sort((a, b) => a - b) } : {}),
    };
  });
}
