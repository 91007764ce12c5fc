"""Every number the README reports as measured traces to a committed benchmark JSON (benchmarks/readme_numbers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.readme_numbers import ROOT, check_readme, numbers_in

RESULT = {"median": 1.2149, "p10": 1.1372, "p90": 1.3604, "networks": 30, "interval": [0.2512, 0.3333],
          "scores": [{"name": "naswot", "tau": 0.61264}, {"name": "llo:abs:hmean", "tau": -0.18712}],
          "results": {"random N=100": {"mean": 92.881}}}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    (tmp_path / "speed.json").write_text(json.dumps(RESULT))
    return tmp_path


def check(tmp_path: Path, results: Path, *lines: str) -> list[str]:
    readme = tmp_path / "README.md"
    readme.write_text("\n".join(["# title", "outside: 9.99 is not checked", "<!-- measured -->", *lines, "<!-- /measured -->"]))
    return check_readme(readme, results)


def test_numbers_are_read_as_a_reader_sees_them():
    line = "| `naswot_v1` | CIFAR-10 τ −0.187, 1,000 cells, p10–p90 1.14–1.36, 1.1-1.8x on ImageNet16-120 | <!-- 7 -->"
    assert numbers_in(line) == ["-0.187", "1000", "1.14", "1.36", "1.1", "1.8"]


def test_backed_numbers_pass(tmp_path, results):
    assert check(tmp_path, results,
                 "| speed | 1.21 (p10–p90 1.14–1.36) over 30 cells, target 1.2 | "
                 "<!-- from: speed.json median p10 p90 networks; given: 1.2 -->",
                 "naswot τ 0.613 (95%: 0.25–0.33) <!-- from: speed.json scores[name=naswot].tau interval; given: 95 -->",
                 "`llo:abs:hmean` −0.187 <!-- from: speed.json scores.1.tau -->",
                 'random N=100: 92.88 <!-- from: speed.json results."random N=100".mean; given: 100 -->',
                 "| --- | --- |") == []


@pytest.mark.parametrize("line, problem", [
    ("naswot 1.22 <!-- from: speed.json median -->", "1.22 is neither a source's value nor given"),
    ("naswot 1.21 over 20 cells <!-- from: speed.json median -->", "20 is neither"),
    ("naswot 1.21 <!-- from: speed.json median p90 -->", "speed.json p90 = 1.3604 does not appear"),
    ("naswot 1.21 <!-- from: speed.json median; given: 0.574 -->", "given 0.574 does not appear"),
    ("naswot 1.21 <!-- from: speed.json mean -->", "speed.json has no mean"),
    ("naswot 1.21 <!-- from: proxies.json median -->", "proxies.json is not in"),
    ("naswot 1.21 and 30 cells", "numbers 1.21, 30 have no <!-- from: ... --> source"),
])
def test_unbacked_or_stale_numbers_are_named_with_their_line(tmp_path, results, line, problem):
    problems = check(tmp_path, results, line)
    assert problems and all(p.startswith("README.md:4: ") for p in problems), problems
    assert any(problem in p for p in problems), problems


def test_a_readme_without_a_measured_region_is_refused(tmp_path, results):
    (tmp_path / "README.md").write_text("# title\n1.21\n")
    assert check_readme(tmp_path / "README.md", results) == ["README.md: no <!-- measured --> ... <!-- /measured --> region "
                                                             "marks the measured numbers"]


def test_every_measured_number_of_the_readme_comes_from_a_committed_result():
    problems = check_readme(ROOT / "README.md", ROOT / "benchmarks" / "results")
    assert not problems, "\n".join(problems)
