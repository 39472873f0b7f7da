"""The benchmark's own arithmetic (bench/run_bench.py), which its reports rest on."""

from __future__ import annotations

import pytest

from bench.run_bench import cpu_times, steal_share


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
