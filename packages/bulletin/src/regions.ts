import { evaluatePrepared, planLevelLabel as levelName, type PreparedBundle, type Region } from "@minsheng/domain";
import type { RegionRate } from "./model.js";

const ABBREVIATIONS: ReadonlyArray<[RegExp, string]> = [
  [/经济技术开发区$/, "经开区"],
  [/高新技术产业开发区$/, "高新区"],
  [/高新技术开发区$/, "高新区"],
];

/** Index of a bundle's regions by code. */
export const regionIndex = (model: PreparedBundle): Map<string, Region> => new Map(model.bundle.regions.map((r) => [r.code, r]));

/**
 * A region's name as a bulletin prints it among its siblings: 市本级 for the city's own part,
 * zones without the city prefix and abbreviated (邵阳经济技术开发区 → 经开区), others as named.
 */
export function regionLabel(regions: ReadonlyMap<string, Region>, code: string): string {
  const r = regions.get(code);
  if (!r) return code;
  if (r.level === "city_self") {
    const parent = r.parent ? regions.get(r.parent) : undefined;
    const suffix = parent && r.name.startsWith(parent.name) ? r.name.slice(parent.name.length) : "";
    return parent?.level === "city" || suffix === "本级" ? "市本级" : r.name;
  }
  if (r.level === "zone") {
    let name = r.name;
    const parent = r.parent ? regions.get(r.parent) : undefined;
    if (parent) {
      const stem = parent.name.replace(/[市州县区]$/, "");
      if (stem.length > 0 && name.startsWith(stem) && name.length > stem.length + 2) name = name.slice(stem.length);
    }
    for (const [pattern, short] of ABBREVIATIONS) if (pattern.test(name)) return name.replace(pattern, short);
    return name;
  }
  return r.name;
}

/** "全市" / "全省" / "全县" …: how a bulletin names the whole of the region it reports on. */
export function scopeWord(region: Region | undefined): string {
  if (!region) return "全域";
  switch (region.level) {
    case "nation":
      return "全国";
    case "province":
      return "全省";
    case "city":
      return "全市";
    case "city_self":
      return "市本级";
    case "township":
      return "全镇";
    default: {
      const last = region.name.slice(-1);
      return last === "区" ? "全区" : last === "市" ? "全市" : "全县";
    }
  }
}

/** How a bulletin names the region's children as a group: 县市区 under a city. */
export function childrenWord(region: Region | undefined): string {
  switch (region?.level) {
    case "nation":
      return "省份";
    case "province":
      return "市州";
    case "city":
      return "县市区";
    default:
      return "乡镇（街道）";
  }
}

/** 省定 / 市定 / 县定. */
export const planLevelLabel = (level: string): string => (levelName as Readonly<Record<string, string>>)[level] ?? "";

/**
 * Each direct child region's own rate of every indicator of a plan, as the child's own evaluation
 * gives it (rules 1-5 at the child's level): indicator id → child rates in region order.
 */
export function childRates(model: PreparedBundle, period: string, region: string, plan: string): Map<string, RegionRate[]> {
  const regions = regionIndex(model);
  const out = new Map<string, RegionRate[]>();
  for (const child of model.children.get(region) ?? []) {
    const evaluation = evaluatePrepared(model, { period, region: child, plan });
    for (const ind of evaluation.indicators) {
      let list = out.get(ind.indicator);
      if (!list) out.set(ind.indicator, (list = []));
      list.push({ region: child, name: regionLabel(regions, child), rate: ind.rate, due: ind.due, status: ind.status });
    }
  }
  return out;
}
