import type { Queryable } from "@minsheng/db";

export interface RegionRow {
  code: string;
  name: string;
  level: string;
  parent: string | null;
}

/**
 * The region tree, cached in memory (a few thousand rows at most) for access checks on every
 * request; reloaded after anything that changes regions (a bundle import).
 */
export class RegionDirectory {
  private byCode = new Map<string, RegionRow>();
  private loaded: Promise<void> | null = null;

  constructor(private readonly db: Queryable) {}

  private async load(): Promise<void> {
    const { rows } = await this.db.query<RegionRow>("SELECT code, name, level, parent FROM regions");
    this.byCode = new Map(rows.map((r) => [r.code, r]));
  }

  async ready(): Promise<this> {
    await (this.loaded ??= this.load());
    return this;
  }

  invalidate(): void {
    this.loaded = null;
  }

  get(code: string): RegionRow | undefined {
    return this.byCode.get(code);
  }

  /** Whether `code` is `ancestor` or lies below it. */
  isWithin(code: string, ancestor: string): boolean {
    let c: string | null | undefined = code;
    for (let guard = 0; c && guard < 64; guard++) {
      if (c === ancestor) return true;
      c = this.byCode.get(c)?.parent;
    }
    return false;
  }

  /** `code` and every region below it. */
  subtree(code: string): string[] {
    const out: string[] = [];
    const children = new Map<string, string[]>();
    for (const r of this.byCode.values()) if (r.parent) (children.get(r.parent) ?? children.set(r.parent, []).get(r.parent)!).push(r.code);
    const stack = [code];
    while (stack.length > 0) {
      const c = stack.pop()!;
      out.push(c);
      stack.push(...(children.get(c) ?? []));
    }
    return out;
  }
}
