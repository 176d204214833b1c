// The filter bar of the list pages (项目点位, 意见建议): filters in the address, the bar's pickers.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FilterBar, FilterSelect, withChanges } from "./filters";

describe("filters in the address", () => {
  it("sets, replaces and removes several keys at once, leaving the others and the original alone", () => {
    const params = new URLSearchParams("region=430500&page=3&state=open");
    const next = withChanges(params, { region: "430523", page: undefined, unit: "edu", state: "" });
    expect(next.toString()).toBe("region=430523&unit=edu");
    expect(params.toString()).toBe("region=430500&page=3&state=open");
  });
});

describe("the filter bar", () => {
  const select = (extra: Partial<Parameters<typeof FilterSelect>[0]> = {}) =>
    createElement(FilterSelect, { placeholder: "地区（默认本辖区）", width: 200, value: undefined, options: [{ value: "430523", label: "邵阳县" }], onChange: () => {}, testId: "site-region", ...extra });

  it("renders a picker with its test id, width and what empty means, the chosen label when set", () => {
    const empty = renderToStaticMarkup(select());
    expect(empty).toContain('data-testid="site-region"');
    expect(empty).toContain("width:200px");
    expect(empty).toContain("地区（默认本辖区）");
    expect(renderToStaticMarkup(select({ value: "430523" }))).toContain("邵阳县");
  });

  it("lets long lists be searched by typing, short ones not", () => {
    expect(renderToStaticMarkup(select({ searchable: true }))).toMatch(/ant-select-show-search/);
    expect(renderToStaticMarkup(select())).not.toMatch(/ant-select-show-search/);
  });

  it("puts the filters in one wrapping row and the second row below them", () => {
    // oxlint-disable-next-line react/no-children-prop -- createElement in a .ts test: FilterBar's props type requires children
    const html = renderToStaticMarkup(createElement(FilterBar, { below: createElement("i", null, "tabs"), children: createElement("b", null, "filter") }));
    expect(html).toMatch(/ant-space-gap-row-small[^>]*>.*<b>filter<\/b>.*<\/div><div style="margin-top:12px"><i>tabs<\/i>/s);
    // oxlint-disable-next-line react/no-children-prop -- as above
    expect(renderToStaticMarkup(createElement(FilterBar, { children: "x" }))).not.toContain("margin-top:12px");
  });
});
