"""Every abbreviation the pages use has a glossary entry (so it gets a tooltip and a definition)."""
from __future__ import annotations

import re

from kb.corpus import plain_text
from kb.glossary import load_glossary
from kb.pages import read_pairs

MATH_RE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
ACRONYM_RE = re.compile(r"(?<![\w\-./])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)s?(?![\w\-])")

# Not machine-learning vocabulary: units, hardware, file formats, organisations, venues, Roman numerals.
GENERAL = frozenset(
    """
    GPU CPU TPU RAM GB MB KB TB GIB MIB KIB FLOP FLOPS TFLOP PFLOP JSON YAML CSV PDF HTML HTTP HTTPS URL API CLI REST
    IO OS ID UTF ASCII UK US EU MIT IEEE ACM ICML ICLR EMNLP NAACL ACL JMLR NIPS AAAI COLING NVIDIA CUDA AMD PR FAQ
    II III IV VI VII VIII IX XI XII TODO NB OK
    """.split()
    # Venues and journals cited in the sources (IEEE TNN = Transactions on Neural Networks).
    + "AISTATS ASPLOS ICASSP SIGIR TNN".split()
    # Organisations, licences and framework names: Google AI / Facebook AI, Open Compute Project, BSD licence,
    # JAX and TF (TensorFlow, as in "TF 2").
    + "AI OCP BSD JAX TF".split()
    # General computing and everyday acronyms: random number generator, CJK characters, a project's README (and its DESIGN and BENCHMARKS documents),
    # out of memory, STEM subjects (science, technology, engineering, maths).
    + "RNG CJK README DESIGN BENCHMARKS OOM STEM".split()
    # Capitalised words that are not abbreviations: boolean query operators, label and log values printed by
    # libraries (POSITIVE, MISSING, UNEXPECTED, NER labels LOC/PER), a model size (GPT-2 XL), and the LoRA
    # matrix product BA (B times A).
    + "AND OR POSITIVE MISSING UNEXPECTED LOC PER XL BA".split()
)


def glossary_names() -> set[str]:
    names = set()
    for located in load_glossary():
        entry = located.entry
        for name in (entry.abbr or "", entry.term.en, *entry.aliases.en, *entry.aliases.zh):
            if name:
                names.add(name.lower())
    return names


def test_every_abbreviation_on_the_pages_has_a_glossary_entry():
    names = glossary_names()
    missing: dict[str, str] = {}
    for pair in read_pairs():
        for lang, page in pair.items():
            text = plain_text(MATH_RE.sub(" ", page.path.read_text(encoding="utf-8")))
            for token in ACRONYM_RE.findall(text):
                if token in GENERAL or token.lower() in names:
                    continue
                missing.setdefault(token, page.path.relative_to(page.path.parents[2]).as_posix())
    assert not missing, f"{len(missing)} abbreviations without a glossary entry (abbr or alias), e.g.: " + ", ".join(
        f"{t} ({where})" for t, where in sorted(missing.items())[:40]
    )
