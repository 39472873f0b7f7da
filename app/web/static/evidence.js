// A cause's evidence panel: the explanation `POST /v1/diagnose` gives with `explain: true`.
// Every value may be missing on some pack (no prevalence class, no exposures): a missing one is
// left out, never printed.
import { api, h, kids, excerpt, edgeLine, pct } from "./api.js";

const words = (s) => s.replaceAll("_", " ");

function chain(f, names, sources) {
  const sensitivity = typeof f.sensitivity === "number" ? ` · sensitivity ${f.sensitivity}` : null;
  const via = f.via ? ` (through ${names.get(f.via) || f.via})` : null;
  return h("li", {},
    h("p", {}, h("strong", {}, names.get(f.end) || f.end), h("span", { class: "muted" }, via, sensitivity)),
    (f.edges || []).map((e) => h("div", { class: "edge" }, edgeLine(e, names),
      e.reasoning ? h("p", { class: "reasoning" }, "Reasoning: ", e.reasoning) : null,
      (e.evidence || []).map((ev) => excerpt(ev, sources)))));
}

// Names for the nodes an explanation passes through that the page has not named yet (a chain
// up the phenotype hierarchy): at most `limit` lookups, each answered once per page.
const looked = new Map();
export async function nameChains(ex, names, limit = 24) {
  const ids = new Set();
  for (const f of [...(ex.findings || []), ...(ex.exposures || [])]) {
    for (const e of f.edges || []) for (const id of [e.subject, e.object]) if (!names.has(id)) ids.add(id);
  }
  await Promise.all([...ids].slice(0, limit).map(async (id) => {
    if (!looked.has(id)) looked.set(id, api.node(id).then((d) => d.node.name).catch(() => null));
    const name = await looked.get(id);
    if (name) names.set(id, name);
  }));
}

// The panel's children for explanation `ex`, with the page's wording `w`.
export function evidencePanel(ex, names, sources, w) {
  const prior = pct(ex.prior);
  const level = ex.prevalence?.level ? words(ex.prevalence.level) : null;
  const common = kids(prior ? `Prior ${prior}` : null, level);
  const list = (title, items) => items?.length
    ? [h("h4", {}, title), h("ul", { class: "chains" }, items.map((f) => chain(f, names, sources)))]
    : null;
  return kids(
    common.length ? [h("h4", {}, "How common it is"), h("p", {}, common.join(" · "))] : null,
    ex.prevalence?.reasoning ? h("p", { class: "reasoning" }, ex.prevalence.reasoning) : null,
    (ex.prevalence?.evidence || []).map((ev) => excerpt(ev, sources)),
    list(w.clinician ? "Why it fits the findings" : "Why it fits what you reported", ex.findings),
    list("Exposures", ex.exposures));
}
