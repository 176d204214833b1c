// Nation-scale `minsheng.bundle/v1` generator for the benchmark (deterministic from a seed).
//
// Shape: a nation (100000) → `provinces` provinces → `citiesPerProvince` cities each →
// `countiesPerCity` counties each (a fractional value gives each city ⌊n⌋ or ⌈n⌉ counties by
// the seed, so 9.5 averages 9-10). One plan issued for the nation with items, projects and
// `indicators` indicators (every fourth a milestone percent averaged over regions, the rest
// quantities summed; a few linked to another indicator, one with a milestone schedule of its
// own). Targets sit at every county; every county reports a cumulative figure for every indicator
// in each of `months` months — 2,850 counties × 30 indicators × 12 months ≈ 1.03 M values.
//
// PlanLevel has no "nation" (省定 is the highest issuing level the schema knows), so the plan is
// issued at level "province" for region 100000.

/** Small fast deterministic PRNG (mulberry32); returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// GB/T 2260 province prefixes (mainland), then synthetic ones if more are asked for.
const PROVINCE_PREFIXES = [
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
];

const pad2 = (n) => String(n).padStart(2, "0");
/** Rounds to `d` decimals and returns the number whose shortest printed form is that decimal. */
const dec = (x, d) => Number(x.toFixed(d));

/**
 * @param {{provinces?: number, citiesPerProvince?: number, countiesPerCity?: number,
 *          indicators?: number, months?: number, seed?: number, year?: number}} [options]
 * @returns {object} a valid `minsheng.bundle/v1` document (plain JSON data)
 */
export function generateNationBundle({
  provinces = 30,
  citiesPerProvince = 10,
  countiesPerCity = 9.5,
  indicators = 30,
  months = 12,
  seed = 20240101,
  year = 2024,
} = {}) {
  if (provinces < 1 || provinces > 89) throw new RangeError("provinces must be 1-89");
  if (citiesPerProvince < 1 || citiesPerProvince > 98) throw new RangeError("citiesPerProvince must be 1-98");
  if (countiesPerCity < 1 || countiesPerCity > 98) throw new RangeError("countiesPerCity must be 1-98");
  if (indicators < 1 || months < 1 || months > 12) throw new RangeError("indicators ≥ 1, months 1-12");
  // Separate streams, so that a smaller country keeps the same indicators (and their national
  // outcome) and only loses regions: the two benchmark sizes then do the same work per value.
  const random = mulberry32(seed);
  const indicatorRandom = mulberry32(seed ^ 0x5bd1e995);
  const between = (lo, hi) => lo + (hi - lo) * random();

  // Regions ------------------------------------------------------------------------------------
  const NATION = "100000";
  const regions = [{ code: NATION, name: "全国", level: "nation", parent: null }];
  const counties = [];
  const prefixes = [...PROVINCE_PREFIXES];
  for (let p = 70; prefixes.length < provinces; p++) if (!prefixes.includes(p)) prefixes.push(p);
  for (let p = 0; p < provinces; p++) {
    const pp = pad2(prefixes[p]);
    const province = `${pp}0000`;
    regions.push({ code: province, name: `省${pp}`, level: "province", parent: NATION });
    for (let c = 1; c <= citiesPerProvince; c++) {
      const city = `${pp}${pad2(c)}00`;
      regions.push({ code: city, name: `市${pp}${pad2(c)}`, level: "city", parent: province });
      const whole = Math.floor(countiesPerCity);
      const n = whole + (random() < countiesPerCity - whole ? 1 : 0);
      for (let k = 1; k <= n; k++) {
        const code = `${pp}${pad2(c)}${pad2(k + 1)}`; // xx01 is 市本级 by convention; counties from 02
        regions.push({ code, name: `县${code}`, level: "county", parent: city });
        counties.push(code);
      }
    }
  }

  // One plan: items, projects, indicators -------------------------------------------------------
  const plan = "cn" + year;
  const plans = [
    { id: plan, year, level: "province", region: NATION, title: `${year}年全国重点民生实事（基准测试）`, schedule: "linear-monthly" },
  ];
  const units = Array.from({ length: 10 }, (_, i) => ({ id: `unit-${pad2(i + 1)}`, name: `牵头单位${i + 1}`, region: NATION }));
  const projectCount = Math.max(1, Math.ceil((indicators * 2) / 3));
  const itemCount = Math.max(1, Math.ceil(projectCount / 2));
  const items = Array.from({ length: itemCount }, (_, i) => ({
    id: `${plan}-i${pad2(i + 1)}`,
    plan,
    no: (i % 99) + 1,
    title: `实事${i + 1}`,
  }));
  const projects = Array.from({ length: projectCount }, (_, i) => ({
    id: `${plan}-p${String(i + 1).padStart(3, "0")}`,
    item: items[Math.floor((i * itemCount) / projectCount)].id,
    no: (i % 999) + 1,
    title: `项目${i + 1}`,
    leadUnit: units[i % units.length].id,
  }));
  const inds = [];
  for (let i = 0; i < indicators; i++) {
    const milestone = i % 4 === 3;
    const ind = {
      id: `${plan}-x${String(i + 1).padStart(3, "0")}`,
      project: projects[Math.floor((i * projectCount) / indicators)].id,
      name: milestone ? `形象进度${i + 1}` : `数量指标${i + 1}`,
      unit: milestone ? "%" : ["人", "户", "公里", "万方", "个"][i % 5],
      kind: milestone ? "milestone" : "quantity",
      aggregation: milestone ? "mean" : "sum",
    };
    // A few linked indicators (纳入统一调度): every tenth takes its actual from the one before.
    if (i % 10 === 9 && i > 0) ind.linkedTo = inds[i - 1].id;
    // One indicator due in full by June (提标补发 style).
    if (i === 1) ind.schedule = { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 1 }] };
    inds.push(ind);
  }

  // Targets at every county; cumulative monthly figures -----------------------------------------
  const targets = [];
  const progress = [];
  const periods = Array.from({ length: months }, (_, m) => `${year}-${pad2(m + 1)}`);
  for (const ind of inds) {
    const milestone = ind.kind === "milestone";
    const decimals = ind.unit === "公里" || ind.unit === "万方" ? 2 : 0;
    // How the indicator fares nationally: some finish the year, some fall short.
    const bias = 0.85 + 0.35 * indicatorRandom();
    for (const county of counties) {
      const target = milestone ? 100 : decimals ? dec(between(5, 500), 2) : Math.round(between(50, 5000));
      targets.push({ indicator: ind.id, region: county, value: target });
      // Where the county ends the year: mostly around its target, some short, some over (自我加压).
      const finish = target * bias * between(0.75, 1.25);
      let value = 0;
      for (let m = 0; m < months; m++) {
        const due = (finish * (m + 1)) / 12;
        value = Math.max(value, due * between(0.85, 1.1));
        let reported = milestone ? Math.min(100, dec(value, 2)) : decimals ? dec(value, 2) : Math.round(value);
        // Now and then a reduction (核减) makes the cumulative figure fall month on month.
        if (m > 0 && random() < 0.001) reported = milestone || decimals ? dec(reported * 0.9, 2) : Math.floor(reported * 0.9);
        progress.push({ indicator: ind.id, region: county, period: periods[m], value: reported });
      }
    }
  }

  return {
    format: "minsheng.bundle/v1",
    note: `Synthetic nation-scale bundle for the benchmark (seed ${seed}).`,
    regions,
    units,
    plans,
    items,
    projects,
    indicators: inds,
    targets,
    progress,
    disclosure: [],
  };
}
