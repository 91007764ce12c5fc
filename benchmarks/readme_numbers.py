"""Check that every number the README reports as measured comes from a committed benchmark result.

The README marks its measured material with ``<!-- measured -->`` ... ``<!-- /measured -->`` (any number
of regions). Inside a region, every line that shows a number carries its sources in an HTML comment:

    | `speed` | naswot / forward | 1.21 (p10–p90 1.14–1.36) | target ≤ 1.2 |
    <!-- from: speed.json median_naswot_ratio p10_naswot_ratio p90_naswot_ratio; given: 1.2 -->

(the comment goes at the end of the same line: it is one line here only to fit this docstring)

- ``from:`` is followed by ``;``-separated groups ``FILE KEY KEY...``: FILE is a JSON file in
  benchmarks/results, each KEY a path into it: names and list indices joined by dots
  (``cost.nasbench101.ratio_median``, ``rows.0.tau``), and ``[field=value]`` picks the element of a
  list whose ``field`` is ``value`` (``scores[name=naswot].tau``). A list value stands for each element.
  A key with spaces in a name is quoted: ``results."random N=100".mean``.
- ``given: 0.574, 128`` lists the line's numbers that are not measured here (yardsticks from papers,
  settings such as the batch size).
- Every number on the line must equal a KEY's value rounded to the decimals shown (``0.613`` matches
  0.61264) or be given; every KEY and given number must appear on the line, so a stale source is caught too.

What counts as a number: digits outside HTML comments and `code`, not part of a name (``CIFAR-10``,
``p10``, ``naswot_v1`` and ``ImageNet16-120`` hold none); ``1,000`` is one thousand; a ``-`` or ``−``
before a number makes it negative unless it follows a digit (``1.14-1.36`` is a range).

    python -m benchmarks.readme_numbers     (exit status 1 and one line per problem when a number is unbacked)
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- measured -->", "<!-- /measured -->"
_COMMENT = re.compile(r"<!--(.*?)-->")
_CODE = re.compile(r"`[^`]*`")
_NAME = re.compile(r"[^\W\d][\w\-]*")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SELECT = re.compile(r"^(?P<name>[^\[]*)\[(?P<field>[^=\]]+)=(?P<value>[^\]]*)\]$")


def numbers_in(line: str) -> list[str]:
    """The numbers a reader sees on ``line``, as text (``-0.187``, ``1000``, ``1.14``)."""
    text = _NAME.sub(" ", _CODE.sub(" ", _COMMENT.sub(" ", line)))
    found = []
    for match in _NUMBER.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if before == ".":
            continue
        value = match.group().replace(",", "")
        if before in "-−" and (match.start() < 2 or not text[match.start() - 2].isdigit()):
            value = "-" + value
        found.append(value)
    return found


def resolve(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (names, list indices, ``name[field=value]`` selections)."""
    for part in path.split("."):
        selection = _SELECT.match(part)
        if selection:
            if selection["name"]:
                data = data[selection["name"]]
            matches = [item for item in data if str(item.get(selection["field"])) == selection["value"]]
            if len(matches) != 1:
                raise KeyError(f"{len(matches)} elements with {selection['field']}={selection['value']}")
            data = matches[0]
        elif isinstance(data, list):
            data = data[int(part)]
        else:
            data = data[part]
    return data


def shows(value: Any, text: str) -> bool:
    """Whether the README text ``text`` is ``value`` rounded to the decimals it shows."""
    if isinstance(value, list):
        return any(shows(item, text) for item in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    decimals = len(text.partition(".")[2])
    rounded = f"{value:.{decimals}f}"
    return rounded == text or (rounded.lstrip("-") == text.lstrip("-") and float(rounded) == 0.0)


def check_line(line: str, results: Path, cache: dict[str, Any]) -> list[str]:
    """Problems of one line of a measured region (empty when every number is backed)."""
    numbers = numbers_in(line)
    sources = [m.group(1).strip()[len("from:"):] for m in _COMMENT.finditer(line) if m.group(1).strip().startswith("from:")]
    if not sources:
        return [f"numbers {', '.join(numbers)} have no <!-- from: ... --> source"] if numbers else []
    problems: list[str] = []
    values: dict[str, Any] = {}
    given: list[str] = []
    for group in (part.strip() for source in sources for part in source.split(";")):
        if group.startswith("given:"):
            given += [number.strip().replace(",", "") for number in group[len("given:"):].split(",") if number.strip()]
            continue
        file_name, *keys = shlex.split(group)
        if file_name not in cache:
            path = results / file_name
            cache[file_name] = json.loads(path.read_text()) if path.exists() else None
        if cache[file_name] is None:
            problems.append(f"{file_name} is not in {results} (run its benchmark and commit the JSON)")
            continue
        for key in keys:
            try:
                values[f"{file_name} {key}"] = resolve(cache[file_name], key)
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                problems.append(f"{file_name} has no {key} ({exc})")
    for number in numbers:
        if number not in given and not any(shows(value, number) for value in values.values()):
            problems.append(f"{number} is neither a source's value nor given")
    for source, value in values.items():
        if not any(shows(value, number) for number in numbers):
            problems.append(f"{source} = {value!r} does not appear on the line")
    problems += [f"given {number} does not appear on the line" for number in given if number not in numbers]
    return problems


def check_readme(readme: Path, results: Path) -> list[str]:
    """Every problem of the measured regions of ``readme``, as ``README.md:LINE: problem``."""
    problems: list[str] = []
    cache: dict[str, Any] = {}
    inside, regions = False, 0
    for number, line in enumerate(readme.read_text().splitlines(), start=1):
        if line.strip() == BEGIN:
            inside, regions = True, regions + 1
        elif line.strip() == END:
            inside = False
        elif inside:
            problems += [f"{readme.name}:{number}: {problem}" for problem in check_line(line, results, cache)]
    if inside:
        problems.append(f"{readme.name}: a {BEGIN} region is not closed by {END}")
    if not regions:
        problems.append(f"{readme.name}: no {BEGIN} ... {END} region marks the measured numbers")
    return problems


def main() -> None:
    problems = check_readme(ROOT / "README.md", ROOT / "benchmarks" / "results")
    print("\n".join(problems) or "every measured number in README.md comes from benchmarks/results")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
