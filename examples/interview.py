"""The interview flow, end to end, on the public API (standard library only).

    python examples/interview.py "my knee keeps twitching after running, no swelling"
    python examples/interview.py --interactive "my knee twitches"

parse the first message -> diagnose -> ask next_question -> add the answer -> diagnose again,
until `should_stop`. Every call is stateless: the lists below are the whole interview state.
Without --interactive, a scripted person answers (yes to exposures and symptoms listed in
--yes, no to everything else).
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections.abc import Callable
from typing import Any

Post = Callable[[str, dict[str, Any]], dict[str, Any]]
Answer = Callable[[dict[str, Any]], str]  # the question -> "yes" | "no" | "don't know"
MAX_QUESTIONS = 20


def http_post(base: str) -> Post:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.load(response)
            return result

    return post


def _said(mention: dict[str, Any]) -> str:
    whose = ", family" if mention.get("experiencer") == "family" else ""
    return f"{mention['name']} ({mention['status']}{whose})"


def interview(
    post: Post, text: str, answer: Answer, say: Callable[[str], None] = print
) -> dict[str, Any]:
    parsed = post("/v1/parse", {"text": text})
    lists: dict[str, list[str]] = parsed["diagnose"]
    # `diagnose` holds only the patient's present and absent mentions: an uncertain one ("maybe
    # swelling") is left for the questions to settle, and a relative's is not the patient's.
    say("understood: " + ", ".join(_said(m) for m in parsed["mentions"]))
    skipped: set[str] = set()  # "don't know" answers: never asked again
    for _ in range(MAX_QUESTIONS):
        result = post("/v1/diagnose", {**lists, "limit": 5})
        top = result["candidates"][0]
        say(
            f"triage: {result['triage']['level']}; top: {top['cause']['name']} {top['probability']:.0%}"
        )
        question = result.get("next_question")
        if result["should_stop"] or question is None:
            say("no further question would change the ranking")
            return result
        if question["id"] in skipped:
            say(f"the API asks again about {question['name']!r}, answered 'don't know': stopping")
            return result
        reply = answer(question)
        say(f"Q: {question['question']}  A: {reply}")
        yes_field, no_field = (
            ("present", "absent")
            if question["kind"] == "symptom"
            else ("exposures", "absent_exposures")
        )
        if reply == "yes":
            lists[yes_field].append(question["id"])
        elif reply == "no":
            lists[no_field].append(question["id"])
        else:
            skipped.add(question["id"])
    return result


def main() -> None:
    cli = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cli.add_argument("text")
    cli.add_argument("--base", default="http://127.0.0.1:8000")
    cli.add_argument("--yes", nargs="*", default=[], help="ids the scripted person says yes to")
    cli.add_argument("--interactive", action="store_true")
    args = cli.parse_args()

    def scripted(question: dict[str, Any]) -> str:
        return "yes" if question["id"] in args.yes else "no"

    def ask(question: dict[str, Any]) -> str:
        reply = input(f"{question['question']} [yes/no/don't know] ").strip().lower()
        return reply if reply in ("yes", "no") else "don't know"

    interview(http_post(args.base), args.text, ask if args.interactive else scripted)


if __name__ == "__main__":
    main()
