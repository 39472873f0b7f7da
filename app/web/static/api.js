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
  parse: (text) =>
    call("/v1/parse", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) }),
  diagnose: (query) =>
    call("/v1/diagnose", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(query) }),
  search: (q, limit = 8) => call(`/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`),
  node: (id) => call(`/v1/nodes/${encodeURIComponent(id)}`),
  edges: (offset = 0) => call(`/v1/edges?limit=200&offset=${offset}`),
  sources: () => call("/v1/sources"),
  meta: () => call("/v1/meta"),
  nodes: (offset = 0) => call(`/v1/nodes?limit=200&offset=${offset}`),
};

// Build elements without innerHTML: content text is always text, never markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
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

// One verbatim excerpt with its source: the title, linked when the source has a URL.
export function excerpt(evidence, sources) {
  const source = sources.get(evidence.source);
  const title = source?.title || evidence.source;
  const cite = source?.url ? h("a", { href: source.url, rel: "noreferrer" }, title) : title;
  return h("figure", { class: "excerpt" },
    h("blockquote", {}, evidence.excerpt),
    h("figcaption", {}, "— ", h("cite", {}, cite)));
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
