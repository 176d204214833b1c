import { hydrate, render } from "preact";
import type { SiteView } from "./api";
import { App } from "./App";
import "./styles.css";

const root = document.getElementById("root")!;
// A project page the server rendered carries its data: take over that markup instead of redrawing.
const data = document.getElementById("ms-data");
if (data?.textContent && root.firstChild) hydrate(<App site={JSON.parse(data.textContent) as SiteView} />, root);
else render(<App />, root);
