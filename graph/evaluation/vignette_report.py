"""`make eval`: the vignette metrics (graph/evaluation/vignette_metrics.py) as a table, with
the tie rate and every missed vignette.

    python -m graph.evaluation.vignette_report [--split dev|test|all] [--vignettes DIR] [--pack DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from graph.evaluation.vignette_metrics import TIE_LIMIT, Report, evaluate, metrics
from graph.evaluation.vignettes import DEFAULT_VIGNETTES_DIR, VignetteError, load_vignettes
from graph.knowledge import KnowledgeGraph
from graph.packs.loader import DEFAULT_PACKS_DIR

__all__ = ["DEFAULT_PACK_DIR", "format_report", "main"]

DEFAULT_PACK_DIR = DEFAULT_PACKS_DIR / "knee"


def _pct(value: float) -> str:
    return "   n/a" if math.isnan(value) else f"{value * 100:5.1f}%"


def _num(value: float) -> str:
    return "  n/a" if math.isnan(value) else f"{value:.3f}"


def format_report(report: Report, split: str = "all") -> str:
    lines = [f"Vignette evaluation, pack {report.pack!r}", ""]
    header = (
        f"{'split':<6} {'n':>3}  {'top-1':>6}  {'top-3':>6}  {'triage':>6}  "
        f"{'over':>4}  {'under':>5}  {'Brier':>6}  {'ECE':>6}"
    )
    lines += [header, "-" * len(header)]
    for name in ("all", "dev", "test") if split == "all" else (split,):
        m = metrics(report.by_split(name))
        lines.append(
            f"{name:<6} {m.count:>3}  {_pct(m.top1)}  {_pct(m.top3)}  {_pct(m.triage)}  "
            f"{m.over_triage:>4}  {m.under_triage:>5}  {_num(m.brier):>6}  {_num(m.ece):>6}"
        )
    t = report.ties
    lines += [
        "",
        f"Tie rate (more than {TIE_LIMIT} causes share rank 1), over {t.queries} single-symptom "
        f"and symptom-pair queries: {t.tied}/{t.queries} = {_pct(t.tie_rate).strip()} "
        f"(largest tie: {t.largest_tie}; rank 1 shared by 2 or more: {t.shared}/{t.queries})",
        f"Queries whose rank-1 candidates include one with no recommendation: "
        f"{t.empty_leader}/{t.queries} = {_pct(t.empty_leader_share).strip()}",
        f"Queries with a top-3 candidate with no recommendation: {t.empty_top3}/{t.queries}"
        + (f" ({', '.join(t.empty_causes)})" if t.empty_causes else ""),
        f"Vignettes with a top-3 candidate with no recommendation: "
        f"{len(report.empty_in_vignettes)}"
        + "".join(f"\n  {vid}: {', '.join(causes)}" for vid, causes in report.empty_in_vignettes),
    ]
    misses = [o for o in report.by_split(split) if not (o.top1_hit and o.top3_hit and o.triage_ok)]
    lines += ["", f"Vignettes missed ({len(misses)}):" if misses else "No vignette missed."]
    for o in misses:
        v = o.vignette
        what = [
            name
            for name, ok in (("top-1", o.top1_hit), ("top-3", o.top3_hit), ("triage", o.triage_ok))
            if not ok
        ]
        top = ", ".join(
            f"#{c.rank} {c.cause} {c.probability:.3f}"
            for c in o.diagnosis.candidates
            if c.rank <= 3
        )
        lines += [
            f"- {v.id} [{v.split}, {v.confidence}] missed {', '.join(what)}",
            f"    gold: {', '.join(v.gold)}; triage {v.gold_triage} (engine: {o.triage})",
            f"    engine top-3: {top}; other {o.diagnosis.other_probability:.3f}; "
            f"P(gold) {o.gold_probability:.3f}",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.evaluation.vignette_report",
        description="Evaluate diagnose on the vignettes.",
    )
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES_DIR)
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK_DIR)
    args = parser.parse_args(argv)
    try:
        vignettes = load_vignettes(args.vignettes)
        report = evaluate(KnowledgeGraph.from_packs([args.pack]), vignettes)
    except VignetteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report, args.split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
