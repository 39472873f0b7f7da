// A keyboard typeahead (ARIA combobox): arrows move, Enter picks, Escape closes. `find(q)`
// resolves to hits, `kind(hit)` names each one's kind, `pick(hit)` takes the chosen one.
import { h } from "./api.js";

export function typeahead(input, list, { find, kind, pick }) {
  let hits = [];
  let active = -1;
  let timer;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    list.replaceChildren(...hits.map((hit, i) => h("li", {
      role: "option", id: `opt-${i}`, "aria-selected": String(i === active),
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, hit.node.name, h("span", { class: "muted" }, ` · ${kind(hit)}`))));
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) input.setAttribute("aria-activedescendant", `opt-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    const hit = hits[i];
    if (!hit) return;
    input.value = "";
    hits = [];
    close();
    pick(hit);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { hits = []; close(); return; }
    timer = setTimeout(async () => {
      try {
        hits = await find(q);
        active = -1;
        render();
      } catch { hits = []; close(); }
    }, 120);
  });

  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; render(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && hits.length) { active = (active - 1 + hits.length) % hits.length; render(); e.preventDefault(); }
    else if (e.key === "Enter") { e.preventDefault(); choose(active >= 0 ? active : 0); }
    else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
