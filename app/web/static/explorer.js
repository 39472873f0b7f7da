// The content explorer: one page per node from GET /v1/nodes/{id}, a neighbourhood graph drawn
// as plain SVG, and every inferred edge from GET /v1/edges. Routes live in the URL hash.
import { api, h, nodeHref, excerpt, edgeLine, disclaimer, sourceTitles } from "./api.js";

const $ = (id) => document.getElementById(id);
const view = $("view");

async function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  try {
    if (hash.startsWith("node=")) await showNode(hash.slice(5));
    else if (hash === "inferred") await showInferred();
    else await showHome();
  } catch (err) {
    view.replaceChildren(h("p", { class: "card error", role: "alert" }, `The API said: ${err.message}`));
  }
}

async function showHome() {
  document.title = "Content explorer · symptom-graph";
  const meta = await api.meta();
  disclaimer($("disclaimer"), meta.disclaimer);
  view.replaceChildren(h("section", { class: "card" },
    h("h1", {}, "Content explorer"),
    h("p", {}, `Graph ${meta.graph_version}: `,
      Object.entries(meta.counts_by_kind).map(([k, n]) => `${n} ${k}`).join(", "), "."),
    h("p", {}, "Search for a node above, start from ", await startLinks(meta.packs),
      ", or review ", h("a", { href: "#inferred" }, "every inferred edge"), ".")));
  focusHeading();
}

// Each pack's start node (its manifest's, or one derived from its content), by name.
async function startLinks(packs) {
  const starts = packs.filter((p) => p.checker.start);
  const names = await Promise.all(starts.map((p) =>
    api.node(p.checker.start).then((d) => d.node.name).catch(() => p.checker.start)));
  const links = starts.map((p, i) => h("a", { href: nodeHref(p.checker.start) }, names[i]));
  return links.length ? links.flatMap((x, i) => (i ? [" or ", x] : [x])) : "any node";
}

function focusHeading() {
  const heading = view.querySelector("h1");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: false }); }
}

async function showNode(id) {
  const [detail, sources] = await Promise.all([api.node(id), sourceTitles()]);
  const node = detail.node;
  disclaimer($("disclaimer"), detail.disclaimer);
  document.title = `${node.name} · Content explorer`;
  const names = new Map([[node.id, node.name]]);
  for (const g of detail.neighbours) for (const n of g.neighbours) names.set(n.node.id, n.node.name);
  const facts = h("dl", { class: "facts" },
    h("dt", {}, "Id"), h("dd", {}, h("code", {}, node.id)),
    h("dt", {}, "Kind"), h("dd", {}, node.kind),
    node.synonyms?.length ? [h("dt", {}, "Synonyms"), h("dd", {}, node.synonyms.join("; "))] : null,
    node.codes?.length ? [h("dt", {}, "Codes"), h("dd", {}, node.codes.map((c) => `${c.system} ${c.code}`).join("; "))] : null,
    node.question ? [h("dt", {}, "Question"), h("dd", {}, node.question)] : null,
    node.exposure_question ? [h("dt", {}, "Exposure question"), h("dd", {}, node.exposure_question)] : null,
    node.prevalence ? [h("dt", {}, "Prevalence"), h("dd", {}, node.prevalence.level.replaceAll("_", " "),
      node.prevalence.inferred ? h("span", { class: "badge inferred" }, "inferred") : null,
      node.prevalence.reasoning ? h("p", { class: "reasoning" }, node.prevalence.reasoning) : null,
      (node.prevalence.evidence || []).map((ev) => excerpt(ev, sources)))] : null);
  const groups = detail.neighbours.map((g) => h("section", { class: "card" },
    h("h2", {}, g.direction === "out" ? `${node.name} ${g.predicate.replaceAll("_", " ")}…` : `…${g.predicate.replaceAll("_", " ")} ${node.name}`),
    h("ul", {}, g.neighbours.map((n) => h("li", {},
      edgeLine(n.edge, names),
      n.edge.inferred ? h("p", { class: "reasoning" }, h("strong", {}, "Inferred: "), n.edge.reasoning || "") : null,
      n.edge.frequency ? h("p", { class: "muted" }, `Frequency: ${n.edge.frequency}`) : null,
      n.edge.evidence.map((ev) => excerpt(ev, sources))))),
    g.total > g.neighbours.length
      ? h("p", { class: "muted" }, `Showing ${g.neighbours.length} of ${g.total}; the API pages through the rest at ${g.next}.`)
      : null));
  view.replaceChildren(
    h("article", {},
      h("h1", {}, node.name),
      h("div", { class: "node-top" },
        h("section", { class: "card" }, h("p", {}, node.description), facts),
        h("section", { class: "card graph", "aria-labelledby": "graph-title" },
          h("h2", { id: "graph-title" }, "Neighbourhood"),
          h("p", { class: "muted" }, "Each neighbour is a link: Tab through them, Enter opens one."),
          neighbourhood(node, detail.neighbours))),
      groups));
  focusHeading();
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const COLOURS = { condition: "#7a3e00", cause: "#0b5cad", symptom: "#0f6b3a", diagnostic: "#5b2a86", treatment: "#8a1c1c", prevention: "#245a63" };

// The node in the middle and its neighbours on a circle, one line per distinct neighbour.
function neighbourhood(node, groups) {
  const seen = new Map();
  for (const g of groups) for (const n of g.neighbours) if (!seen.has(n.node.id)) seen.set(n.node.id, { ...n.node, predicate: g.predicate });
  const items = [...seen.values()].slice(0, 24);
  const W = 640, H = 420, cx = W / 2, cy = H / 2, r = 160;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": `${node.name} and ${items.length} neighbours` });
  items.forEach((n, i) => {
    const a = (2 * Math.PI * i) / items.length - Math.PI / 2;
    n.x = cx + r * Math.cos(a); n.y = cy + r * Math.sin(a) * 0.85;
    svg.append(s("line", { x1: cx, y1: cy, x2: n.x, y2: n.y }));
  });
  for (const n of items) {
    // A long name is cut short; the ellipsis is decoration, so the visible text stays part of
    // the link's accessible name.
    const cut = n.name.length > 28;
    const label = cut ? n.name.slice(0, 26).trimEnd() : n.name;
    const anchor = n.x < cx - 10 ? "end" : n.x > cx + 10 ? "start" : "middle";
    const dx = anchor === "end" ? -12 : anchor === "start" ? 12 : 0;
    const link = s("a", { href: nodeHref(n.id), "data-name": n.name },
      s("title", {}, n.name),
      s("circle", { cx: n.x, cy: n.y, r: 8, fill: COLOURS[n.kind] || "#444" }),
      s("text", { x: n.x + dx, y: n.y + (anchor === "middle" ? (n.y < cy ? -12 : 20) : 4), "text-anchor": anchor }, label,
        cut ? s("tspan", { "aria-hidden": "true" }, "…") : ""));
    svg.append(link);
  }
  svg.append(s("g", { class: "center" }, s("circle", { cx, cy, r: 12 }),
    s("text", { x: cx, y: cy + 30, "text-anchor": "middle", "font-weight": "700", "font-size": "12" }, node.name)));
  return svg;
}

async function showInferred() {
  document.title = "Inferred edges · Content explorer";
  const [sources, meta] = await Promise.all([sourceTitles(), api.meta()]);
  disclaimer($("disclaimer"), meta.disclaimer);
  const edges = [];
  // Pages of 200, at most 50 of them: the reviewer's list is bounded even on a large pack.
  for (let offset = 0, page = 0; page < 50; page += 1, offset += 200) {
    const chunk = await api.edges(offset);
    edges.push(...chunk.items.filter((e) => e.inferred));
    if (offset + chunk.items.length >= chunk.total) break;
  }
  // Names for the edges' ends, from the node list (bounded the same way).
  const names = new Map();
  for (let offset = 0, page = 0; page < 50; page += 1, offset += 200) {
    const chunk = await api.nodes(offset);
    for (const n of chunk.items) names.set(n.id, n.name);
    if (offset + chunk.items.length >= chunk.total) break;
  }
  view.replaceChildren(h("section", { class: "card" },
    h("h1", {}, "Inferred edges"),
    h("p", {}, `${edges.length} edges the sources only imply, each with the editors' reasoning and the excerpts it rests on.`),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Edge"), h("th", { scope: "col" }, "Reasoning"), h("th", { scope: "col" }, "Evidence"))),
      h("tbody", {}, edges.map((e) => h("tr", {},
        h("td", {}, edgeLine(e, names)),
        h("td", {}, e.reasoning || ""),
        h("td", {}, e.evidence.map((ev) => excerpt(ev, sources)))))))));
  focusHeading();
}

$("find").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = $("q").value.trim();
  const found = $("found");
  if (!q) return;
  try {
    const page = await api.search(q, 10);
    found.replaceChildren(...page.items.map((hit) => h("li", {},
      h("a", { href: nodeHref(hit.node.id) }, hit.node.name), h("span", { class: "muted" }, ` · ${hit.node.kind}`))));
    if (!page.items.length) found.replaceChildren(h("li", {}, "No match."));
  } catch (err) {
    found.replaceChildren(h("li", { class: "error" }, err.message));
  }
});

window.addEventListener("hashchange", route);
route();
