"""What ``naswot list scores`` shows, without importing a score (and torch) to show it.

``catalog.json`` beside this module records each built-in score's name, needs and description as the
registry holds them; a test checks it against the live registry, and ``python -m naswot.scores.catalog``
writes it again after a score is added or changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CATALOG = Path(__file__).with_name("catalog.json")


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    needs: tuple[str, ...]
    """What the score needs beyond a forward pass: gradients, labels, the loss."""
    description: str
    version: int


def catalog() -> list[CatalogEntry]:
    """The built-in scores, sorted by name, as last written from the registry."""
    entries = json.loads(CATALOG.read_text())
    return [CatalogEntry(entry["name"], tuple(entry["needs"]), entry["description"], entry["version"])
            for entry in entries]


def live_catalog() -> list[CatalogEntry]:
    """The same entries read from the registry itself (which imports every score module)."""
    from naswot.scores.registry import SCORES

    return [CatalogEntry(name, tuple(label for label, on in (("gradients", spec.needs_grad), ("labels", spec.needs_labels),
                                                             ("loss", spec.needs_loss)) if on),
                         spec.description, spec.version)
            for name, spec in SCORES.items()]


def write_catalog() -> None:
    CATALOG.write_text(json.dumps([{"name": e.name, "needs": list(e.needs), "description": e.description,
                                    "version": e.version} for e in live_catalog()], indent=1) + "\n")


if __name__ == "__main__":
    write_catalog()
    print(f"wrote {CATALOG}")
