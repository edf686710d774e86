"""'Did you mean': correct query words that are near misses (typos, missing hyphens) of glossary and index words."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours); ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Suggester:
    """Proposes, for a query word nobody wrote, the closest word of the glossary or the index.

    Args:
        names: glossary terms, abbreviations and aliases (only their Latin words are used); preferred on ties.
        known: words never corrected: the index's tokens and real English words (e.g. the bundled model's
            WordPiece vocabulary), so 'invented' is not turned into 'inverted'.
        frequency: candidate words of the index with a weight (higher = more common), used on ties.
    """

    def __init__(self, names: Iterable[str], known: set[str], frequency: Mapping[str, float] | None = None) -> None:
        self.known = known
        self.glossary: dict[str, str] = {}
        for name in names:
            for word in WORD_RE.findall(name):
                lowered = word.lower()
                if len(lowered) >= 3:
                    self.glossary.setdefault(lowered, lowered)
                    self.glossary.setdefault(re.sub(r"[-_]", "", lowered), lowered)  # 'topp' -> 'top-p'
                    for part in re.split(r"[-_]", lowered):
                        if len(part) >= 3:
                            self.glossary.setdefault(part, part)
        self.frequency = {w: f for w, f in (frequency or {}).items() if len(w) >= 3 and w.isascii() and w.isalpha()}
        self.by_initial: dict[str, list[str]] = {}
        for word in set(self.glossary) | set(self.frequency):
            self.by_initial.setdefault(word[0], []).append(word)

    def correct(self, word: str) -> str | None:
        """The word ``word`` most likely meant, or None when it is known or nothing is close enough."""
        lowered = word.lower()
        if len(lowered) < 4 or lowered in self.known or re.search(r"[_0-9]", lowered):
            return None
        if lowered in self.glossary and self.glossary[lowered] != lowered:
            return self.glossary[lowered]
        limit = 1 if len(lowered) <= 6 else 2
        best: tuple | None = None
        for candidate in self.by_initial.get(lowered[0], ()):
            shorter = min(len(lowered), len(candidate))
            if candidate == lowered or lowered[: shorter - 1] == candidate[: shorter - 1]:
                continue  # only the ending differs: another form of the word ('permute'/'permuted'), not a typo
            distance = edit_distance(lowered, candidate, limit)
            if distance > limit:
                continue
            key = (distance, candidate not in self.glossary, -self.frequency.get(candidate, 0.0), candidate)
            if best is None or key < best:
                best = key
        if best is None:
            return None
        return self.glossary.get(best[-1], best[-1])

    def suggest(self, query: str) -> str | None:
        """The query with its near-miss words corrected, or None when nothing needs correcting."""
        changed = False

        def fix(match: re.Match) -> str:
            nonlocal changed
            better = self.correct(match.group())
            if better is None:
                return match.group()
            changed = True
            return better

        corrected = WORD_RE.sub(fix, query)
        return corrected if changed else None


def english_words(model_dir: str | None) -> set[str]:
    """Whole words of a WordPiece vocabulary (vocab.txt beside the model), lowercased; empty if there is none."""
    if not model_dir:
        return set()
    path = Path(model_dir) / "vocab.txt"
    if not path.is_file():
        return set()
    return {w for w in path.read_text(encoding="utf-8").split("\n") if w.isalpha() and w.isascii() and not w.startswith("##")}
