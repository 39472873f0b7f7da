// The symptom checker: free text -> /v1/parse -> chips -> /v1/diagnose -> next question.
// The interview state lives here, in the page; every API call is stateless.
import { api, h, nodeHref, excerpt, edgeLine, disclaimer, sourceTitles } from "./api.js";

const state = {
  // id -> {id, name, kind: "symptom" | "exposure", status: "present" | "absent" | "uncertain"}
  items: new Map(),
  skipped: new Set(), // ids answered "don't know": never asked again
  explained: new Map(), // query key -> diagnose answer with explain: true
  last: null,
  refocus: null, // the chip whose toggle had the focus before a re-render
};

const $ = (id) => document.getElementById(id);

function query(explain = false) {
  const q = { present: [], absent: [], exposures: [], absent_exposures: [], limit: 10, explain };
  for (const item of state.items.values()) {
    if (item.status === "uncertain") continue; // hedged text: neither yes nor no until answered
    if (item.kind === "symptom") q[item.status === "present" ? "present" : "absent"].push(item.id);
    else q[item.status === "present" ? "exposures" : "absent_exposures"].push(item.id);
  }
  return q;
}

function addItem(id, name, kind, status) {
  state.items.delete(id); // re-added, so the newest answer sits last
  state.items.set(id, { id, name, kind, status });
}

function renderChips() {
  const list = $("chips");
  list.replaceChildren(...[...state.items.values()].map((item) => {
    const yes = item.status === "present";
    const unsure = item.status === "uncertain";
    const label = unsure ? "unsure" : yes ? "yes" : "no";
    const next = yes ? "no" : "yes"; // an unsure chip becomes yes
    const what = item.kind === "exposure" ? "exposure" : "symptom";
    return h("li", { class: `chip ${item.status}`, "data-id": item.id },
      h("span", { class: "chip-name" }, item.name),
      h("span", { class: "chip-kind" }, what),
      h("button", {
        type: "button", class: "chip-toggle", "aria-pressed": String(yes),
        "aria-label": `${item.name}: ${label}. Switch to ${next}`,
        onclick: () => { item.status = yes ? "absent" : "present"; state.refocus = item.id; update(); },
      }, label),
      h("button", {
        type: "button", class: "chip-remove", "aria-label": `Remove ${item.name}`,
        onclick: () => { state.items.delete(item.id); update(); input.focus(); },
      }, "×"));
  }));
  // Re-rendering replaces the buttons: keep the keyboard where it was.
  if (state.refocus) {
    list.querySelector(`[data-id="${CSS.escape(state.refocus)}"] .chip-toggle`)?.focus();
    state.refocus = null;
  }
}

async function update() {
  renderChips();
  const results = $("results");
  const q = query();
  if (!q.present.length && !q.exposures.length) {
    results.replaceChildren(h("p", { class: "card muted" },
      "Add at least one thing you do notice (a symptom marked yes, or an exposure) to see possible causes."));
    return;
  }
  try {
    const [answer, sources] = await Promise.all([api.diagnose(q), sourceTitles()]);
    state.last = { key: JSON.stringify(q), answer };
    disclaimer($("disclaimer"), answer.disclaimer);
    renderAnswer(answer, sources);
  } catch (err) {
    results.replaceChildren(h("p", { class: "card error", role: "alert" }, `The API said: ${err.message}`));
  }
}

function renderAnswer(answer, sources) {
  const names = new Map(answer.candidates.map((c) => [c.cause.id, c.cause.name]));
  for (const item of state.items.values()) names.set(item.id, item.name);
  $("results").replaceChildren(
    triage(answer.triage, sources),
    nextQuestion(answer),
    h("section", { class: "card", "aria-labelledby": "causes-title" },
      h("h2", { id: "causes-title" }, "Possible causes"),
      h("p", { class: "muted" }, "Ranked by how well the cited articles' causes account for what you reported."),
      h("ol", { class: "causes" }, answer.candidates.map((c) => candidate(c, names))),
      h("p", { class: "muted" },
        `Something not in these articles: ${pct(answer.other_probability)}. `,
        `Causes not listed above: ${pct(answer.unlisted_probability)}.`)),
  );
}

const pct = (p) => `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`;

function triage(t, sources) {
  if (t.level !== "seek_care") {
    return h("section", { class: "banner self-care", "aria-label": "Triage" },
      h("p", {}, h("strong", {}, "No warning sign reported. "),
        "The articles' warning signs did not fire; see a professional if things persist or worsen."));
  }
  return h("section", { class: "banner seek-care", role: "alert", "aria-label": "Triage" },
    h("h2", {}, "Seek medical attention"),
    t.red_flags.map((flag) => h("div", { class: "flag" },
      h("p", {}, h("strong", {}, flag.name)),
      h("p", {}, flag.advice),
      h("p", { class: "muted" }, "Source: ", flag.sources.map((id) => {
        const s = sources.get(id);
        return s?.url ? h("a", { href: s.url, rel: "noreferrer" }, s.title) : (s?.title || id);
      }).flatMap((x, i) => (i ? ["; ", x] : [x])),
        " · because you reported: ", flag.triggered_by.map((id) => state.items.get(id)?.name || id).join(", ")))));
}

function nextQuestion(answer) {
  const box = h("section", { class: "card question", "aria-labelledby": "question-title" },
    h("h2", { id: "question-title" }, "Next question"));
  const q = answer.next_question;
  if (answer.should_stop || !q) {
    box.append(h("p", {}, "No further answer would change the ranking: this is as far as the articles go."));
    return box;
  }
  if (state.skipped.has(q.id)) {
    box.append(h("p", {}, `The checker would ask again about "${q.name}", which you did not know; the interview stops here.`));
    return box;
  }
  const answerWith = (status) => () => {
    if (status) addItem(q.id, q.name, q.kind, status);
    else state.skipped.add(q.id);
    update().then(() => $("question-title")?.focus());
  };
  box.append(
    h("p", { class: "ask" }, q.question),
    h("div", { class: "buttons", role: "group", "aria-label": "Your answer" },
      h("button", { type: "button", onclick: answerWith("present") }, "Yes"),
      h("button", { type: "button", onclick: answerWith("absent") }, "No"),
      h("button", { type: "button", class: "secondary", onclick: answerWith(null) }, "Don't know")));
  $("question-title")?.removeAttribute("tabindex");
  box.querySelector("h2").setAttribute("tabindex", "-1");
  return box;
}

function candidate(c, names) {
  const id = `cause-${c.cause.id.replace(/[^a-z0-9]+/g, "-")}`;
  const bar = h("span", { class: "bar-fill" });
  bar.style.width = `${Math.max(1, Math.round(c.probability * 100))}%`;
  const rec = c.recommended || {};
  const group = (title, items) => items?.length
    ? h("div", { class: "rec" }, h("h4", {}, title), h("ul", {}, items.map((i) =>
        h("li", {}, h("a", { href: nodeHref(i.id) }, i.name), i.via ? h("span", { class: "muted" }, ` (via ${names.get(i.via) || i.via})`) : null))))
    : null;
  const evidence = h("div", { class: "evidence", id: `${id}-evidence`, hidden: true });
  const toggle = h("button", {
    type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": `${id}-evidence`,
    onclick: async () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      evidence.hidden = open;
      if (!open && !evidence.childElementCount) await explain(c.cause.id, evidence, names);
    },
  }, "Show the evidence");
  return h("li", { class: "cause", id },
    h("h3", {}, h("a", { href: nodeHref(c.cause.id) }, c.cause.name),
      c.tied_with?.length ? h("span", { class: "badge tie", title: "Tied: equally likely on what you reported" },
        `tied with ${c.tied_with.map((t) => names.get(t) || t).join(", ")}`) : null),
    h("div", { class: "prob" },
      h("span", { class: "bar", role: "img", "aria-label": `Probability ${pct(c.probability)}` }, bar),
      h("span", { class: "prob-text" }, pct(c.probability))),
    c.matched?.length ? h("p", { class: "muted" }, "Accounts for: ", c.matched.map((m) => names.get(m) || m).join(", ")) : null,
    c.contradicted?.length ? h("p", { class: "muted" }, "Would usually show: ", c.contradicted.map((m) => names.get(m) || m).join(", ")) : null,
    h("div", { class: "recs" },
      group("Tests", rec.diagnostics), group("Treatments", rec.treatments), group("Prevention", rec.prevention)),
    toggle, evidence);
}

async function explain(causeId, el, names) {
  el.replaceChildren(h("p", { class: "muted" }, "Loading the evidence…"));
  const q = query(true);
  const key = JSON.stringify(q);
  try {
    if (!state.explained.has(key)) state.explained.set(key, await api.diagnose(q));
    const answer = state.explained.get(key);
    const sources = await sourceTitles();
    const c = answer.candidates.find((x) => x.cause.id === causeId);
    const ex = c?.explanation;
    if (!ex) { el.replaceChildren(h("p", {}, "No evidence returned.")); return; }
    const chain = (f) => h("li", {},
      h("p", {}, h("strong", {}, names.get(f.end) || f.end), h("span", { class: "muted" }, ` · sensitivity ${f.sensitivity}`)),
      f.edges.map((e) => h("div", { class: "edge" }, edgeLine(e, names),
        e.reasoning ? h("p", { class: "reasoning" }, "Reasoning: ", e.reasoning) : null,
        e.evidence.map((ev) => excerpt(ev, sources)))));
    el.replaceChildren(
      h("h4", {}, "How common it is"),
      h("p", {}, `Prior ${pct(ex.prior)}`, ex.prevalence ? ` · ${ex.prevalence.level.replaceAll("_", " ")}` : ""),
      ex.prevalence?.reasoning ? h("p", { class: "reasoning" }, ex.prevalence.reasoning) : null,
      ...(ex.prevalence?.evidence || []).map((ev) => excerpt(ev, sources)),
      ex.findings?.length ? h("h4", {}, "Why it fits what you reported") : null,
      ex.findings?.length ? h("ul", { class: "chains" }, ex.findings.map(chain)) : null,
      ex.exposures?.length ? h("h4", {}, "Exposures") : null,
      ex.exposures?.length ? h("ul", { class: "chains" }, ex.exposures.map(chain)) : null);
  } catch (err) {
    el.replaceChildren(h("p", { class: "error" }, `The API said: ${err.message}`));
  }
}

// Free text -> chips.
$("describe").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  const status = $("parse-status");
  if (!text) { status.textContent = "Type a few words first."; return; }
  try {
    const parsed = await api.parse(text);
    // A relative's history is not the patient's: named in the summary, never a chip.
    const own = parsed.mentions.filter((m) => m.experiencer !== "family");
    for (const m of own) addItem(m.id, m.name, m.kind, m.status);
    const said = { present: "yes", absent: "no", uncertain: "unsure" };
    const family = parsed.mentions.filter((m) => m.experiencer === "family");
    status.textContent = parsed.mentions.length
      ? `Found ${own.length}: ${own.map((m) => `${m.name} (${said[m.status] ?? m.status})`).join(", ")}.`
        + (family.length ? ` In the family, not counted: ${family.map((m) => m.name).join(", ")}.` : "")
      : "Nothing recognised; try other words, or add items with the search box.";
    await update();
  } catch (err) {
    status.textContent = `The API said: ${err.message}`;
  }
});

// Typeahead over /v1/search: symptoms and causes only; arrows move, Enter picks, Escape closes.
const input = $("search");
const list = $("search-list");
let hits = [];
let active = -1;
let timer;

function closeList() {
  list.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

function renderList() {
  list.replaceChildren(...hits.map((hit, i) => h("li", {
    role: "option", id: `opt-${i}`, "aria-selected": String(i === active),
    onmousedown: (e) => { e.preventDefault(); pick(i); },
  }, hit.node.name, h("span", { class: "muted" }, ` · ${hit.node.kind === "cause" ? "exposure" : "symptom"}`))));
  list.hidden = hits.length === 0;
  input.setAttribute("aria-expanded", String(!list.hidden));
  if (active >= 0) input.setAttribute("aria-activedescendant", `opt-${active}`);
  else input.removeAttribute("aria-activedescendant");
}

function pick(i) {
  const hit = hits[i];
  if (!hit) return;
  addItem(hit.node.id, hit.node.name, hit.node.kind === "cause" ? "exposure" : "symptom", "present");
  input.value = "";
  hits = [];
  closeList();
  update();
}

input.addEventListener("input", () => {
  clearTimeout(timer);
  const q = input.value.trim();
  if (!q) { hits = []; closeList(); return; }
  timer = setTimeout(async () => {
    try {
      const page = await api.search(q, 12);
      hits = page.items.filter((x) => x.node.kind === "symptom" || x.node.kind === "cause").slice(0, 8);
      active = -1;
      renderList();
    } catch { hits = []; closeList(); }
  }, 120);
});

input.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; renderList(); e.preventDefault(); }
  else if (e.key === "ArrowUp" && hits.length) { active = (active - 1 + hits.length) % hits.length; renderList(); e.preventDefault(); }
  else if (e.key === "Enter") { e.preventDefault(); pick(active >= 0 ? active : 0); }
  else if (e.key === "Escape") closeList();
});
input.addEventListener("blur", () => setTimeout(closeList, 100));

// The disclaimer from the API, in view before anything is asked.
api.meta().then((d) => disclaimer($("disclaimer"), d.disclaimer)).catch(() => {});
