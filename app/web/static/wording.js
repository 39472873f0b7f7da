// The checker's words for the pack being served, from GET /v1/meta (each pack's `checker`
// block: what its manifest says, the rest derived from its content). Nothing here names a pack.

const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

// Everything the page says that depends on the pack or its audience.
export function wordingFor(pack) {
  const c = pack.checker;
  const clinician = c.audience === "clinician";
  const yes = clinician ? "present" : "yes";
  const no = clinician ? "absent" : "no";
  return {
    pack: pack.id,
    clinician,
    title: c.title,
    intro: c.intro,
    prompt: c.prompt,
    example: `e.g. ${c.example}`,
    searchExample: `Start typing, e.g. ${c.search_example}`,
    sources: c.sources,
    causes: c.causes,
    finding: c.finding,
    redFlags: c.red_flags,
    yes,
    no,
    unsure: "unsure",
    read: clinician ? "Read the note" : "Read my description",
    reported: clinician ? "Findings" : "What you reported",
    add: clinician ? `Add a ${c.finding}` : `Add a ${c.finding} or exposure`,
    chipsHelp: `Each item can be switched between "${yes}" and "${no}", or removed.`,
    results: clinician ? "Differential" : "What the checker suggests",
    ranked: `Possible ${c.causes}`,
    rankedHelp: `Ranked by how well each of the ${c.causes} in ${c.sources} accounts for what was reported.`,
    other: `Something not in ${c.sources}`,
    unlisted: `${capital(c.causes)} not listed above`,
    noFlag: `None of the warning signs in ${c.sources} fired; see a professional if things persist or worsen.`,
    stop: `No further answer would change the ranking: this is as far as ${c.sources} go.`,
    empty: `Add at least one ${c.finding} marked "${yes}" (or an exposure) to see possible ${c.causes}.`,
    question: clinician ? `Next ${c.finding} to check` : "Next question",
    answers: clinician ? ["Present", "Absent", "Unknown"] : ["Yes", "No", "Don't know"],
  };
}

// The static page's text, rewritten once the pack is known.
export function applyWording(w) {
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  document.title = `${w.title} · symptom-graph`;
  set("title", w.title);
  set("intro", w.intro);
  set("text-label", w.prompt);
  set("read", w.read);
  set("findings-title", w.reported);
  set("search-label", w.add);
  set("chips-help", w.chipsHelp);
  document.getElementById("text").placeholder = w.example;
  document.getElementById("text").rows = w.clinician ? 8 : 3;
  document.getElementById("search").placeholder = w.searchExample;
}
