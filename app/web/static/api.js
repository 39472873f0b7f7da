// The public JSON API, and small DOM helpers shared by both pages. Nothing here is private:
// a partner's integration would make the same calls.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const api = {
  parse: (text, pack) =>
    call("/v1/parse", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text, pack }) }),
  diagnose: (query) =>
    call("/v1/diagnose", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(query) }),
  search: (q, limit = 8, kind = null, pack = null) =>
    call(`/v1/search?q=${encodeURIComponent(q)}&limit=${limit}${kind ? `&kind=${kind}` : ""}`
      + `${pack ? `&pack=${encodeURIComponent(pack)}` : ""}`),
  node: (id) => call(`/v1/nodes/${encodeURIComponent(id)}`),
  edges: (offset = 0) => call(`/v1/edges?limit=200&offset=${offset}`),
  sources: () => call("/v1/sources"),
  meta: () => call("/v1/meta"),
  nodes: (offset = 0) => call(`/v1/nodes?limit=200&offset=${offset}`),
};

const absent = (x) => x === undefined || x === null || x === false;

// Children for append / replaceChildren: nested lists flattened, missing ones dropped (the DOM
// would print null or undefined as text).
export function kids(...children) {
  return children.flat(Infinity).filter((child) => !absent(child));
}

// Build elements without innerHTML: content text is always text, never markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (absent(value)) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...kids(...children).map((child) => (child instanceof Node ? child : String(child))));
  return el;
}

// A probability as a percentage that never rounds to a false 0% or 100%; null when missing.
export function pct(p) {
  if (typeof p !== "number" || !Number.isFinite(p)) return null;
  if (p <= 0) return "0%";
  if (p < 0.0005) return "<0.1%";
  if (p < 1 && p >= 0.995) return ">99%";
  return `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`;
}

export function nodeHref(id) {
  return `/explorer#node=${encodeURIComponent(id)}`;
}

let sourcesPromise;
export function sourceTitles() {
  sourcesPromise ??= api
    .sources()
    .then((page) => new Map(page.items.map((s) => [s.id, s])))
    .catch(() => new Map());
  return sourcesPromise;
}

const EVIDENCE_CODES = {
  PCS: "published clinical study",
  TAS: "traceable author statement",
  IEA: "inferred from electronic annotation",
};

// One piece of evidence with its source (the title, linked when the source has a URL): a
// verbatim excerpt, or, from a curated database, the record it cites and how.
export function excerpt(evidence, sources) {
  const source = sources.get(evidence.source);
  const title = source?.title || evidence.source;
  const cite = source?.url ? h("a", { href: source.url, rel: "noreferrer" }, title) : title;
  const code = evidence.evidence_code;
  const body = evidence.excerpt
    ? h("blockquote", {}, evidence.excerpt)
    : h("p", { class: "reference" }, "Cites ", h("code", {}, evidence.reference),
      code ? ` (${code}: ${EVIDENCE_CODES[code] || "evidence code"})` : null);
  return h("figure", { class: "excerpt" }, body, h("figcaption", {}, "— ", h("cite", {}, cite)));
}

export function edgeLine(edge, names) {
  const name = (id) => names.get(id) || id;
  return h("p", { class: "edge-line" },
    h("a", { href: nodeHref(edge.subject) }, name(edge.subject)), " ",
    h("span", { class: "predicate" }, edge.predicate.replaceAll("_", " ")), " ",
    h("a", { href: nodeHref(edge.object) }, name(edge.object)),
    edge.inferred ? h("span", { class: "badge inferred" }, "inferred") : null);
}

export function disclaimer(el, d) {
  el.replaceChildren(
    h("p", {}, h("strong", {}, "Not a diagnosis. "), d.notice),
    h("details", {}, h("summary", {}, "Full disclaimer from the source"),
      h("p", {}, d.text), h("p", { class: "muted" }, "Source: ", d.source)));
}
