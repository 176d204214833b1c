import { describe, expect, it } from "vitest";
import { browseHref, match, parseBrowse } from "../src/router";

describe("routes", () => {
  it("knows the home page, project pages and ticket pages", () => {
    expect(match("/")).toEqual({ name: "home" });
    expect(match("")).toEqual({ name: "home" });
    expect(match("/p/BHMSXDK5")).toEqual({ name: "project", code: "BHMSXDK5" });
    expect(match("/s/0A1B2C3D4E5F")).toEqual({ name: "ticket", ticket: "0A1B2C3D4E5F" });
  });

  it("knows 票决制's pages: a proposal (/jy), its ticket (/jy/:ticket), the voted projects (/pj)", () => {
    expect(match("/jy")).toEqual({ name: "propose" });
    expect(match("/jy/0a1b2c3d4e5f")).toEqual({ name: "proposal", ticket: "0A1B2C3D4E5F" });
    expect(match("/pj/")).toEqual({ name: "voted" });
    expect(match("/jy/A/B")).toEqual({ name: "missing" });
  });

  it("accepts what a scanner or a person may pass: lower case, a trailing slash, escapes, O for 0", () => {
    expect(match("/p/bhmsxdk5/")).toEqual({ name: "project", code: "BHMSXDK5" });
    expect(match("/s/0a1b%202c3d%204e5f")).toEqual({ name: "ticket", ticket: "0A1B2C3D4E5F" });
    expect(match("/s/oa1b2c3d4e5f")).toEqual({ name: "ticket", ticket: "0A1B2C3D4E5F" });
  });

  it("answers missing for anything else, and survives malformed escapes", () => {
    expect(match("/p")).toEqual({ name: "missing" });
    expect(match("/p/A/B")).toEqual({ name: "missing" });
    expect(match("/admin")).toEqual({ name: "missing" });
    expect(match("/p/%E0%A4%A")).toMatchObject({ name: "project" });
  });
});

describe("the browse page's query string", () => {
  it("round-trips region, item, search and page", () => {
    const b = { region: "430523", item: "hn2024-i02", q: "托育", page: 3 };
    const href = browseHref(b);
    expect(href).toBe("/?region=430523&item=hn2024-i02&q=%E6%89%98%E8%82%B2&page=3");
    expect(parseBrowse(href.slice(1))).toEqual(b);
    expect(browseHref({ region: "", item: "", q: "  ", page: 1 })).toBe("/");
  });

  it("drops what the server would refuse instead of showing an error page", () => {
    expect(parseBrowse("?region=4305&item=%3Cscript%3E&page=-2&q=" + "长".repeat(60))).toEqual({ region: "", item: "", q: "长".repeat(50), page: 1 });
    expect(parseBrowse("?page=2.5")).toMatchObject({ page: 1 });
    expect(parseBrowse("")).toEqual({ region: "", item: "", q: "", page: 1 });
  });
});
