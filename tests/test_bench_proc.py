"""`bench.proc.run_measured` reports the command's own peak memory, not its parent's."""

from __future__ import annotations

import sys

from bench.proc import run_measured


def test_a_child_of_a_large_process_is_not_reported_as_large():
    ballast = bytearray(400 * 1024 * 1024)  # the parent touches 400 MB
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    done = run_measured([sys.executable, "-m", "json.tool", "--help"])
    assert done.returncode == 0
    assert 0 < done.peak_mb < 200, done.peak_mb  # a bare interpreter: tens of MB, not 400
    del ballast


def test_the_command_runs_with_its_arguments_and_output():
    done = run_measured([sys.executable, "-m", "platform", "--terse"])
    assert done.returncode == 0
    assert done.stdout.strip()


def test_a_failing_command_keeps_its_exit_code():
    done = run_measured([sys.executable, "-m", "bench.no_such_module"])
    assert done.returncode == 1
    assert "No module named" in done.stderr
