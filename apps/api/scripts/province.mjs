// A Hunan-size province, generated deterministically (issue 16, point 3): 14 cities, 122 counties,
// two province plans a year of ~40 indicators each with every applicable county's targets and 12
// months of cumulative figures, 5 earlier years of the same, ~3,000 unit accounts, ~4,000 project
// sites of the current year with content and citizens' suggestions, and evidence records.
//
// Plans and figures go in as `minsheng.bundle/v1` through the bundle import; the rest (accounts,
// sites, content, suggestions, evidence) by set-based inserts, using the API's own functions for
// site codes and sealed phone numbers. Used by `pnpm gen:province` (gen-province.mjs), the
// province benchmark (apps/api/bench/province.bench.mjs) and its test at a small size.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { appendAudit, importBundle } from "@minsheng/db";
import { BUNDLE_FORMAT, chinaDate, parseBundle } from "@minsheng/domain";
// deterministic tickets in the alphabet of real ones (a seeded PRNG, not newTicket's random bytes)
import { CROCKFORD, hashPassword, normalisedTextDigest } from "../dist/index.js";
import { CITIES, DEPARTMENTS, PLAN_A_ITEMS, PLAN_A_PROJECTS, PLAN_B_ITEMS, PLAN_B_PROJECTS, PROVINCE } from "./hunan.mjs";

/** Sizes; `small()` is the test's. */
export const defaults = {
  seed: 16,
  year: 2026,
  historyYears: 5,
  months: 12,
  /** cities taken from the table (14 = all), and at most this many counties of each */
  cities: 14,
  countiesPerCity: 99,
  /** evidence records: this share of the current year's county figures */
  evidenceShare: 0.2,
  /** reporters per unit: 1, plus a second for this share of units */
  secondReporterShare: 0.45,
  /** suggestions per county site of the current year, on average */
  feedbackPerSite: 2,
};
export const small = () => ({ ...defaults, historyYears: 1, months: 3, cities: 2, countiesPerCity: 3 });

/** mulberry32: a small seeded PRNG, so the same seed gives the same province. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

const pad2 = (n) => String(n).padStart(2, "0");

/** The regions, units and plan templates shared by every year. */
export function provinceShape(opts = defaults) {
  const cities = CITIES.slice(0, opts.cities).map(([code, name, counties]) => ({ code, name, counties: counties.slice(0, opts.countiesPerCity).map(([c, n]) => ({ code: c, name: n })) }));
  const regions = [{ code: PROVINCE.code, name: PROVINCE.name, level: "province", parent: null }];
  for (const city of cities) {
    regions.push({ code: city.code, name: city.name, level: "city", parent: PROVINCE.code });
    for (const county of city.counties) regions.push({ code: county.code, name: county.name, level: "county", parent: city.code });
  }
  const counties = cities.flatMap((c) => c.counties.map((k) => ({ ...k, city: c })));
  const units = [];
  for (const [id, provinceName, suffix] of DEPARTMENTS) {
    units.push({ id: `${id}-${PROVINCE.code}`, name: provinceName, region: PROVINCE.code });
    for (const city of cities) {
      units.push({ id: `${id}-${city.code}`, name: `${city.name}${suffix}`, region: city.code });
      for (const county of city.counties) units.push({ id: `${id}-${county.code}`, name: `${county.name}${suffix}`, region: county.code });
    }
  }
  // Which counties each project reaches, and each county's size: fixed across years, so a site and
  // its history line up. Drawn from their own stream so the sizes do not change the figures' draws.
  const r = prng(opts.seed * 7919 + 1);
  const weight = new Map(counties.map((c) => [c.code, 0.4 + r.next() * 1.6]));
  const template = (key, items, projects) => ({
    key,
    items,
    projects: projects.map(([item, title, dept, indicators], i) => {
      const list = indicators.map(([name, unit, kind]) => ({ name, unit, kind }));
      // Investment is tracked beside the physical measure for a share of projects.
      if ((key === "a" ? i % 3 === 0 : i % 2 === 0) && !list.some((x) => x.unit === "万元")) list.push({ name: "完成投资", unit: "万元", kind: "q" });
      const share = 0.3 + r.next() * 0.65;
      const reach = counties.filter(() => r.next() < share).map((c) => c.code);
      return { item, title, dept, indicators: list, reach: reach.length > 0 ? reach : [counties[0].code], scale: 20 + Math.floor(r.next() * 400) };
    }),
  });
  const plans = [template("a", PLAN_A_ITEMS, PLAN_A_PROJECTS), template("b", PLAN_B_ITEMS, PLAN_B_PROJECTS)];
  return { cities, counties, regions, units, plans, weight };
}

/**
 * One year's bundle: both plans, targets at every county a project reaches, cumulative monthly
 * figures (months 1..`months`), and the disclosure record of every county site each month.
 */
export function yearBundle(shape, year, opts = defaults) {
  const r = prng(opts.seed * 1_000_003 + year);
  const { regions, units } = shape;
  const b = { format: BUNDLE_FORMAT, note: `generated province (seed ${opts.seed}), ${year}`, regions, units, plans: [], items: [], projects: [], indicators: [], targets: [], progress: [], disclosure: [] };
  const current = year === opts.year;
  for (const plan of shape.plans) {
    const planId = plan.key === "a" ? `hn${year}` : `hn${year}b`;
    b.plans.push({
      id: planId,
      year,
      level: "province",
      region: PROVINCE.code,
      title: plan.key === "a" ? `${year}年湖南省重点民生实事（省定十大重点民生实事）` : `${year}年湖南省为民办实事项目（省直部门牵头）`,
      schedule: "linear-monthly",
    });
    plan.items.forEach((title, i) => b.items.push({ id: `${planId}-i${pad2(i + 1)}`, plan: planId, no: i + 1, title }));
    plan.projects.forEach((p, pi) => {
      const projectId = `${planId}-p${pad2(pi + 1)}`;
      b.projects.push({ id: projectId, item: `${planId}-i${pad2(p.item)}`, no: pi + 1, title: p.title, leadUnit: `${p.dept}-${PROVINCE.code}` });
      p.indicators.forEach((ind, ii) => {
        const id = `${projectId}-${String.fromCharCode(97 + ii)}`;
        const milestone = ind.kind === "m";
        b.indicators.push({ id, project: projectId, name: ind.name, unit: ind.unit, kind: milestone ? "milestone" : "quantity", aggregation: milestone ? "mean" : "sum" });
        // Plan B's first indicator of project 9 counts with plan A's employment figures (纳入省定统一调度).
        if (plan.key === "b" && pi === 8 && ii === 0) b.indicators.at(-1).linkedTo = `hn${year}-p11-c`;
        for (const county of p.reach) {
          const target = milestone ? 100 : Math.max(1, Math.round(p.scale * shape.weight.get(county) * (0.7 + r.next() * 0.6)));
          b.targets.push({ indicator: id, region: county, value: target });
          // A county's pace: most finish on time, some run ahead, a few lag (these show as 滞后).
          const pace = r.chance(0.08) ? 0.5 + r.next() * 0.3 : 0.9 + r.next() * 0.25;
          let value = 0;
          for (let m = 1; m <= opts.months; m++) {
            const due = (target * m) / 12;
            // Cumulative: never below last month's figure.
            const next = Math.min(milestone ? 100 : target * 1.15, due * pace * (0.92 + r.next() * 0.16));
            value = Math.max(value, milestone ? Math.round(next) : Math.round(next * 10) / 10);
            b.progress.push({ indicator: id, region: county, period: `${year}-${pad2(m)}`, value });
          }
        }
      });
      if (current)
        for (const county of p.reach)
          for (let m = 1; m <= opts.months; m++) b.disclosure.push({ project: projectId, region: county, period: `${year}-${pad2(m)}`, compliant: r.chance(0.9) });
    });
  }
  return b;
}

/** Every year's bundle, oldest first (history, then the current year). */
export function provinceBundles(opts = defaults) {
  const shape = provinceShape(opts);
  const years = Array.from({ length: opts.historyYears + 1 }, (_, i) => opts.year - opts.historyYears + i);
  return { shape, bundles: years.map((y) => ({ year: y, bundle: yearBundle(shape, y, opts) })) };
}

/** Validates with the domain's rules and imports in one transaction, as the import route does. */
export async function importYear(db, bundle) {
  const parsed = parseBundle(bundle);
  if (parsed._tag !== "Right") throw new Error(`generated bundle invalid: ${JSON.stringify(parsed.left.problems.slice(0, 5))}`);
  return db.transaction(async (tx) => {
    const counts = await importBundle(tx, parsed.right);
    await appendAudit(tx, { actor: "system", action: "bundle.import", entity: "plan", entityId: parsed.right.plans.map((p) => p.id).join(","), after: counts });
    return counts;
  });
}

/** Runs `INSERT … SELECT FROM unnest(…)` in chunks (one statement per chunk, not per row). */
async function insertRows(tx, sql, types, columns, chunk = 5_000) {
  const n = columns[0].length;
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  let count = 0;
  for (let start = 0; start < n; start += chunk) {
    const res = await tx.query(sql(params), columns.map((c) => c.slice(start, start + chunk)));
    count += res.rowCount ?? 0;
  }
  return count;
}

/** The citizen-facing text the generator draws from. */
const FEEDBACK_TEXTS = [
  ["suggestion", "建议在项目点增设公示牌，写明工期和负责人联系方式。"],
  ["suggestion", "希望施工期间晚上十点后停止作业，照顾周边居民休息。"],
  ["question", "请问这个项目什么时候完工？家里老人想尽快用上。"],
  ["question", "补贴什么时候发放到卡上？在哪里可以查询？"],
  ["complaint", "施工围挡占了人行道，小孩上学不方便，请尽快处理。"],
  ["complaint", "工地扬尘比较大，希望每天洒水降尘。"],
  ["praise", "项目建好后方便多了，感谢政府为群众办实事！"],
  ["praise", "工作人员上门服务很耐心，点赞。"],
];
const ANSWERS = ["已转交责任单位办理，感谢您的关注。", "经核实，项目计划按期完成，届时将在本页公布。", "已要求施工单位整改，并加强现场管理。", "感谢您的肯定，我们将继续做好服务。"];


/**
 * Accounts, sites, content, suggestions and evidence records, after the bundles are imported (one
 * transaction). `secrets`: the installation's (site codes and sealed phones depend on its key);
 * `filesDir`: DATA_DIR/files, where evidence files are written in DiskStorage's layout.
 */
export async function loadRest(db, shape, opts, { secrets, filesDir, password }) {
  const r = prng(opts.seed * 31 + 5);
  // one hash (the API's own function and cost) shared by every generated account
  const hash = await hashPassword(password);
  const y = opts.year;
  const monthEnd = (m) => new Date(Date.UTC(y, m, 0, 2, 0, 0));
  return db.transaction(async (tx) => {
    const counts = {};
    // Accounts: staff and a reviewer per region, an observer per city, one or two reporters per unit.
    const users = [];
    const add = (username, displayName, role, region, unit) => users.push([username, displayName, role, region, unit]);
    const places = [{ code: PROVINCE.code, name: PROVINCE.name, level: "province" }, ...shape.cities.map((c) => ({ ...c, level: "city" })), ...shape.counties.map((c) => ({ ...c, level: "county" }))];
    for (const p of places) {
      add(`staff-${p.code}`, `${p.name}专班`, `staff_${p.level}`, p.code, null);
      add(`review-${p.code}`, `${p.name}核验员`, "reviewer", p.code, null);
      if (p.level !== "county") add(`observe-${p.code}`, `${p.name}观察员`, "observer", p.code, null);
    }
    for (const u of shape.units) {
      add(`report-${u.id}-1`, `${u.name}填报员`, "reporter", u.region, u.id);
      if (r.chance(opts.secondReporterShare)) add(`report-${u.id}-2`, `${u.name}填报员2`, "reporter", u.region, u.id);
    }
    // One hash for every account, passed once per chunk rather than once per row.
    counts.users = 0;
    for (let start = 0; start < users.length; start += 5_000) {
      const part = users.slice(start, start + 5_000);
      const res = await tx.query(
        `INSERT INTO users (username, display_name, password_hash, role, region, unit)
         SELECT u, d, $6, r, g, n FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(u, d, r, g, n)
         ON CONFLICT (username) DO NOTHING`,
        [part.map((u) => u[0]), part.map((u) => u[1]), part.map((u) => u[2]), part.map((u) => u[3]), part.map((u) => u[4]), hash],
      );
      counts.users += res.rowCount ?? 0;
    }

    // Sites: what sites/service.ts syncSites would create (every project × region with a target there
    // or below), with the installation's keyed codes; a colliding code moves to the next attempt.
    counts.sites = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const { rows: missing } = await tx.query(
        `WITH RECURSIVE up(project, region) AS (
           SELECT DISTINCT i.project, t.region FROM targets t JOIN indicators i ON i.id = t.indicator
           UNION
           SELECT up.project, r.parent FROM up JOIN regions r ON r.code = up.region WHERE r.parent IS NOT NULL)
         SELECT project, region FROM up
          WHERE NOT EXISTS (SELECT 1 FROM project_sites s WHERE s.project = up.project AND s.region = up.region)
          ORDER BY project, region`,
      );
      if (missing.length === 0) break;
      counts.sites += await insertRows(
        tx,
        (p) => `INSERT INTO project_sites (code, project, region) SELECT * FROM unnest(${p}) ON CONFLICT DO NOTHING`,
        ["text", "text", "text"],
        [missing.map((m) => secrets.siteCode(m.project, m.region, attempt)), missing.map((m) => m.project), missing.map((m) => m.region)],
      );
    }

    // Content and suggestions on the current year's sites.
    const { rows: sites } = await tx.query(
      `SELECT s.code, s.region, g.level, p.title, p.lead_unit FROM project_sites s
         JOIN projects p ON p.id = s.project JOIN items i ON i.id = p.item JOIN plans pl ON pl.id = i.plan JOIN regions g ON g.code = s.region
        WHERE pl.year = $1 ORDER BY s.project, s.region`,
      [y],
    );
    counts.currentYearSites = sites.length;
    const content = { site: [], kind: [], title: [], issuer: [], date: [], url: [], body: [], at: [], by: [] };
    const pushContent = (site, kind, title, issuer, date, url, body, at, by) => {
      content.site.push(site); content.kind.push(kind); content.title.push(title); content.issuer.push(issuer);
      content.date.push(date); content.url.push(url); content.body.push(body); content.at.push(at); content.by.push(by);
    };
    const fb = { ticket: [], site: [], kind: [], text: [], hash: [], sealed: [], hmac: [], masked: [], client: [], state: [], at: [], on: [], modBy: [], modAt: [], reason: [], answer: [], ansBy: [], ansAt: [], ansOn: [] };
    const tickets = new Set();
    for (const s of sites) {
      const by = `staff-${s.region}`;
      const publishedAt = new Date(Date.UTC(y, r.int(0, 2), r.int(1, 28), 1, 0, 0)).toISOString();
      pushContent(s.code, "policy", `关于印发《${y}年${s.title}实施方案》的通知`, "湖南省人民政府办公厅", `${y}-0${r.int(1, 3)}-${pad2(r.int(1, 28))}`, null, `${s.title}的目标任务、责任分工和保障措施。`, publishedAt, by);
      if (s.level !== "province" && r.chance(0.5))
        pushContent(s.code, "localised", "本地实施细则", "", null, null, `本地区${s.title}的实施范围、办理流程和咨询电话。`, publishedAt, by);
      const updates = s.level === "county" ? r.int(0, 3) : r.int(0, 1);
      for (let k = 0; k < updates; k++) {
        const m = r.int(1, opts.months);
        pushContent(s.code, "update", "", "", `${y}-${pad2(m)}-${pad2(r.int(1, 28))}`, null, `${m}月，${s.title}有序推进，已完成月度计划。`, monthEnd(m).toISOString(), by);
      }
      if (s.level !== "county") continue;
      const n = Math.floor(r.next() * (2 * opts.feedbackPerSite + 1));
      for (let k = 0; k < n; k++) {
        const [kind, text] = r.pick(FEEDBACK_TEXTS);
        let ticket;
        do ticket = Array.from({ length: 12 }, () => CROCKFORD[Math.floor(r.next() * 32)]).join("");
        while (tickets.has(ticket));
        tickets.add(ticket);
        const m = r.int(1, opts.months);
        const at = new Date(Date.UTC(y, m - 1, r.int(1, 28), r.int(0, 14), r.int(0, 59)));
        const roll = r.next();
        const state = roll < 0.6 ? "answered" : roll < 0.8 ? "open" : roll < 0.9 ? "pending" : "rejected";
        const phone = r.chance(0.4) ? `13${r.int(0, 9)}${String(r.int(0, 99_999_999)).padStart(8, "0")}` : null;
        const answeredAt = state === "answered" ? new Date(at.getTime() + r.int(1, 10) * 86_400_000) : null;
        fb.ticket.push(ticket); fb.site.push(s.code); fb.kind.push(kind); fb.text.push(`${text}（${k + 1}）`); fb.hash.push(normalisedTextDigest(`${text}（${k + 1}）`));
        fb.sealed.push(phone ? secrets.sealPhone(phone) : null); fb.hmac.push(phone ? secrets.phoneDigest(phone) : null); fb.masked.push(phone ? `${phone.slice(0, 3)}****${phone.slice(7)}` : null);
        fb.client.push(secrets.clientDigest(`198.51.100.${r.int(1, 254)}`)); fb.state.push(state); fb.at.push(at.toISOString()); fb.on.push(chinaDate(at.getTime()));
        const moderated = state !== "pending";
        fb.modBy.push(moderated ? "auto" : null); fb.modAt.push(moderated ? at.toISOString() : null); fb.reason.push(state === "rejected" ? "与项目无关" : null);
        fb.answer.push(answeredAt ? r.pick(ANSWERS) : null); fb.ansBy.push(answeredAt ? `staff-${s.region}` : null);
        fb.ansAt.push(answeredAt ? answeredAt.toISOString() : null); fb.ansOn.push(answeredAt ? chinaDate(answeredAt.getTime()) : null);
      }
    }
    counts.content = await insertRows(
      tx,
      (p) => `INSERT INTO site_content (site, kind, title, issuer, doc_date, url, body, published, published_at, created_by, created_at, updated_at)
              SELECT site, kind, title, issuer, d, url, body, true, at, by, at, at FROM unnest(${p}) AS t(site, kind, title, issuer, d, url, body, at, by)`,
      ["text", "text", "text", "text", "text", "text", "text", "timestamptz", "text"],
      [content.site, content.kind, content.title, content.issuer, content.date, content.url, content.body, content.at, content.by],
    );
    counts.feedback = await insertRows(
      tx,
      (p) => `INSERT INTO feedback (ticket, site, kind, text, text_hash, phone_sealed, phone_hmac, phone_masked, client_hash, state, received_at, received_on,
                                    moderated_by, moderated_at, reject_reason, answer, answered_by, answered_at, answered_on)
              SELECT * FROM unnest(${p})`,
      ["text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "timestamptz", "text", "text", "timestamptz", "text", "text", "text", "timestamptz", "text"],
      [fb.ticket, fb.site, fb.kind, fb.text, fb.hash, fb.sealed, fb.hmac, fb.masked, fb.client, fb.state, fb.at, fb.on, fb.modBy, fb.modAt, fb.reason, fb.answer, fb.ansBy, fb.ansAt, fb.ansOn],
    );

    // Evidence: a share of the current year's county figures, each with its own small file (a
    // one-page PDF-like text) written where DiskStorage keeps files, so downloads and backups work.
    const { rows: reports } = await tx.query(
      `SELECT r.id, r.region, r.period FROM reports r JOIN regions g ON g.code = r.region
        WHERE g.level = 'county' AND r.period LIKE $1 ORDER BY r.id`,
      [`${y}-%`],
    );
    const ev = { id: [], report: [], name: [], size: [], sha: [], key: [], by: [], at: [] };
    for (const rep of reports) {
      if (!r.chance(opts.evidenceShare)) continue;
      const hex = Array.from({ length: 32 }, () => "0123456789abcdef"[Math.floor(r.next() * 16)]).join("");
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      const key = `${id.slice(0, 2)}/${id}`;
      const bytes = Buffer.from(`%PDF-1.4\n% 佐证材料 report ${rep.id} ${rep.region} ${rep.period}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);
      mkdirSync(dirname(join(filesDir, key)), { recursive: true });
      writeFileSync(join(filesDir, key), bytes);
      const [py, pm] = rep.period.split("-").map(Number);
      ev.id.push(id); ev.report.push(rep.id); ev.name.push(`${rep.period}佐证材料.pdf`); ev.size.push(bytes.byteLength);
      ev.sha.push(createHash("sha256").update(bytes).digest("hex")); ev.key.push(key); ev.by.push(`report-rs-${rep.region}-1`);
      ev.at.push(new Date(Date.UTC(py, pm, 0, 8, 0)).toISOString());
    }
    counts.evidence = await insertRows(
      tx,
      (p) => `INSERT INTO evidence (id, report_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
              SELECT id, rep, name, 'application/pdf', size, sha, key, by, at FROM unnest(${p}) AS t(id, rep, name, size, sha, key, by, at)
              ON CONFLICT (id) DO NOTHING`,
      ["text", "bigint", "text", "bigint", "text", "text", "text", "timestamptz"],
      [ev.id, ev.report, ev.name, ev.size, ev.sha, ev.key, ev.by, ev.at],
    );
    await appendAudit(tx, { actor: "system", action: "province.generate", entity: "province", entityId: PROVINCE.code, after: { seed: opts.seed, ...counts } });
    return counts;
  });
}
