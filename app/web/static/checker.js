// The symptom checker: free text -> /v1/parse -> chips -> /v1/diagnose -> next question.
// The interview state lives here, in the page; every API call is stateless.
import { api, h, kids, nodeHref, disclaimer, sourceTitles, pct } from "./api.js";
import { evidencePanel, nameChains } from "./evidence.js";
import { typeahead } from "./typeahead.js";
import { applyWording, wordingFor } from "./wording.js";

const state = {
  // id -> {id, name, kind: "symptom" | "exposure", status: "present" | "absent" | "uncertain"}
  items: new Map(),
  skipped: new Set(), // ids answered "don't know": never asked again
  explained: new Map(), // query key -> diagnose answer with explain: true
  last: null,
  refocus: null, // the chip whose toggle had the focus before a re-render
  packs: [], // from /v1/meta
  w: null, // the current pack's wording (wording.js); null until /v1/meta answers
};

const $ = (id) => document.getElementById(id);

function query(explain = false) {
  const q = { present: [], absent: [], exposures: [], absent_exposures: [], limit: 10, explain, pack: state.w?.pack };
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
    const w = state.w;
    const label = unsure ? w.unsure : yes ? w.yes : w.no;
    const next = yes ? w.no : w.yes; // an unsure chip becomes yes
    const what = item.kind === "exposure" ? "exposure" : w.finding;
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

// Re-render the chips and ask for the ranking; `reveal` brings the results into view (after the
// text is read: on a phone they start screens below the button).
async function update(reveal = false) {
  renderChips();
  const results = $("results");
  const q = query();
  if (!q.present.length && !q.exposures.length) {
    results.replaceChildren(h("p", { class: "card muted" }, state.w.empty));
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
  if (reveal) focusResults();
}

// Focus the results' heading, which scrolls it into view; the heading is reachable by script
// only (tabindex -1), so the tab order is unchanged.
function focusResults() {
  const heading = $("results-title");
  if (!heading) return;
  heading.focus({ preventScroll: true });
  const { top, bottom } = heading.getBoundingClientRect();
  if (top < 0 || bottom > window.innerHeight / 2) heading.scrollIntoView({ block: "start" });
}

function renderAnswer(answer, sources) {
  const names = new Map(answer.candidates.map((c) => [c.cause.id, c.cause.name]));
  for (const item of state.items.values()) names.set(item.id, item.name);
  const w = state.w;
  const other = pct(answer.other_probability);
  const unlisted = pct(answer.unlisted_probability);
  $("results").replaceChildren(...kids(
    h("h2", { id: "results-title", class: "results-title", tabindex: "-1" }, w.results),
    triage(answer.triage, sources),
    nextQuestion(answer),
    h("section", { class: "card", "aria-labelledby": "causes-title" },
      h("h2", { id: "causes-title" }, w.ranked),
      h("p", { class: "muted" }, w.rankedHelp),
      h("ol", { class: "causes" }, answer.candidates.map((c) => candidate(c, names))),
      other || unlisted ? h("p", { class: "muted" },
        other ? `${w.other}: ${other}. ` : null,
        unlisted ? `${w.unlisted}: ${unlisted}.` : null) : null),
  ));
}

function triage(t, sources) {
  if (t.level !== "seek_care" && !state.w.redFlags) return null; // no warning signs to check
  if (t.level !== "seek_care") {
    return h("section", { class: "banner self-care", "aria-label": "Triage" },
      h("p", {}, h("strong", {}, "No warning sign reported. "), state.w.noFlag));
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
  const w = state.w;
  const box = h("section", { class: "card question", "aria-labelledby": "question-title" },
    h("h2", { id: "question-title" }, w.question));
  const q = answer.next_question;
  if (answer.should_stop || !q) {
    box.append(h("p", {}, w.stop));
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
  const [yes, no, unknown] = w.answers;
  // A clinician checks a finding by name; a person is asked the content's question.
  const ask = w.clinician && q.kind === "symptom" ? q.name : q.question;
  box.append(
    h("p", { class: "ask" }, ask),
    h("div", { class: "buttons", role: "group", "aria-label": "Your answer" },
      h("button", { type: "button", onclick: answerWith("present") }, yes),
      h("button", { type: "button", onclick: answerWith("absent") }, no),
      h("button", { type: "button", class: "secondary", onclick: answerWith(null) }, unknown)));
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
      h("span", { class: "bar", role: "img", "aria-label": `Probability ${pct(c.probability) ?? "not given"}` }, bar),
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
    const ex = answer.candidates.find((x) => x.cause.id === causeId)?.explanation;
    if (!ex) { el.replaceChildren(h("p", {}, "No evidence returned.")); return; }
    await nameChains(ex, names);
    el.replaceChildren(...evidencePanel(ex, names, sources, state.w));
  } catch (err) {
    el.replaceChildren(h("p", { class: "error" }, `The API said: ${err.message}`));
  }
}

// Free text -> chips.
$("describe").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  const status = $("parse-status");
  if (!state.w) { status.textContent = "Still loading; try again in a moment."; return; }
  if (!text) { status.textContent = "Type a few words first."; return; }
  try {
    const parsed = await api.parse(text, state.w.pack);
    // A relative's history is not the patient's: named in the summary, never a chip.
    const own = parsed.mentions.filter((m) => m.experiencer !== "family");
    for (const m of own) addItem(m.id, m.name, m.kind, m.status);
    const said = { present: state.w.yes, absent: state.w.no, uncertain: state.w.unsure };
    const family = parsed.mentions.filter((m) => m.experiencer === "family");
    status.textContent = parsed.mentions.length
      ? `Found ${own.length}: ${own.map((m) => `${m.name} (${said[m.status] ?? m.status})`).join(", ")}.`
        + (family.length ? ` In the family, not counted: ${family.map((m) => m.name).join(", ")}.` : "")
      : "Nothing recognised; try other words, or add items with the search box.";
    await update(own.length > 0);
  } catch (err) {
    status.textContent = `The API said: ${err.message}`;
  }
});

// Typeahead over /v1/search, in the chosen pack: symptoms and causes (as exposures) only.
const input = $("search");
const kindOf = (node) => (node.kind === "cause" ? "exposure" : "symptom");
typeahead(input, $("search-list"), {
  find: async (q) => {
    // A clinician records findings: a disease is what the ranking is for, not an input.
    const page = await api.search(q, 12, state.w.clinician ? "symptom" : null, state.w.pack);
    return page.items.filter((x) => x.node.kind === "symptom" || x.node.kind === "cause").slice(0, 8);
  },
  kind: (hit) => (kindOf(hit.node) === "exposure" ? "exposure" : state.w.finding),
  pick: (hit) => { addItem(hit.node.id, hit.node.name, kindOf(hit.node), "present"); update(); },
});

// The pack's wording and the disclaimer from the API, in view before anything is asked. With
// several packs served, a choice of pack appears; switching starts afresh.
function choosePack(id) {
  const pack = state.packs.find((p) => p.id === id) || state.packs[0];
  state.w = wordingFor(pack);
  applyWording(state.w);
  state.items.clear();
  state.skipped.clear();
  state.explained.clear();
  $("results").replaceChildren();
  renderChips();
}

api.meta().then((meta) => {
  disclaimer($("disclaimer"), meta.disclaimer);
  state.packs = meta.packs;
  const select = $("pack");
  select.replaceChildren(...meta.packs.map((p) => h("option", { value: p.id }, p.checker.title)));
  $("pack-choice").hidden = meta.packs.length < 2;
  select.addEventListener("change", () => choosePack(select.value));
  choosePack(select.value);
}).catch((err) => {
  $("parse-status").textContent = `The API said: ${err.message}`;
});
