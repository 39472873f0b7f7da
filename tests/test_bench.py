"""The benchmark's own arithmetic (bench/run_bench.py), which its reports rest on."""

from __future__ import annotations

from typing import Any

import pytest

from bench.run_bench import answered_requests, cpu_times, diagnose_rows, steal_share


def test_steal_share_is_the_stolen_part_of_all_cpu_time() -> None:
    # user nice system idle iowait irq softirq steal guest guest_nice
    before = [100, 0, 50, 800, 0, 0, 0, 50, 7, 0]
    after = [400, 0, 150, 1100, 0, 0, 0, 250, 9, 0]
    # 300 + 100 + 300 + 200 spent; 200 of 900 stolen (guest time is inside user already).
    assert steal_share(before, after) == pytest.approx(200 / 900)


def test_steal_share_without_counters_or_time_is_zero() -> None:
    assert steal_share([], [1] * 10) == 0.0
    assert steal_share([5] * 10, [5] * 10) == 0.0


def test_cpu_times_reads_the_machine_counters() -> None:
    times = cpu_times()
    assert times == [] or (len(times) >= 8 and all(t >= 0 for t in times))


def _report(diagnose: tuple[float, float], reference: tuple[float, float]) -> dict[str, Any]:
    """A report as run_bench writes it, reduced to what the issue's rows read: (req/s, p99)
    per target, the same in each of three rounds but the reference's third."""

    def row(rate: float, p99: float) -> dict[str, float]:
        return {"requests_per_second": rate, "p99_ms": p99, "steal": 0.02}

    slow_round = row(reference[0] / 2, reference[1] * 2)
    return {
        "endpoints": {"diagnose": row(*diagnose), "reference": row(*reference)},
        "rounds": {
            "diagnose": [row(*diagnose)] * 3,
            "reference": [row(*reference), row(*reference), slow_round],
        },
    }


def test_the_issue_rows_are_ratios_to_the_reference_in_the_same_rounds() -> None:
    rows = diagnose_rows(_report((1500.0, 30.0), (2500.0, 20.0)))
    assert [row.holds for row in rows] == [True, True]  # 0.6x; p99 1.5x (medians of rounds)
    assert rows[0].measured.startswith("0.60x")
    assert rows[1].measured.startswith("1.5x")
    assert rows[0].steal_by_round == (0.02, 0.02, 0.02)
    slow = diagnose_rows(_report((1000.0, 41.0), (2500.0, 20.0)))
    assert [row.holds for row in slow] == [False, False]  # 0.4x; p99 2.05x


def test_the_hpo_row_appears_with_its_own_reference() -> None:
    report = _report((1500.0, 30.0), (2500.0, 20.0))
    report["hpo"] = _report((900.0, 50.0), (2000.0, 20.0))
    rows = diagnose_rows(report)
    assert len(rows) == 3
    assert rows[1].measured.startswith("0.45x")
    assert rows[1].holds


def test_the_rows_give_the_server_cpu_ratio_when_the_rounds_measured_it() -> None:
    report = _report((1500.0, 30.0), (2500.0, 20.0))
    for name, cpu in (("diagnose", 300.0), ("reference", 120.0)):
        report["rounds"][name] = [{**r, "server_cpu_us": cpu} for r in report["rounds"][name]]
    (knee, _) = diagnose_rows(report)
    assert knee.measured.endswith("; by server CPU per request 0.40x)")
    # Reports from before the figure (or a round without it) give none.
    assert "CPU" not in diagnose_rows(_report((1500.0, 30.0), (2500.0, 20.0)))[0].measured


def test_wrk_reports_count_the_requests_answered() -> None:
    out = "  12345 requests in 5.00s, 1.2MB read\nRequests/sec:   2469.00\n"
    assert answered_requests(out) == 12345
    assert answered_requests("no figures") == 0
