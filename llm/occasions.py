"""The occasions Fondly writes for, in one place: what each is called, how shorthand names it,
and its template (sections, phrase bank, questions) in assets/templates/."""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "assets" / "templates"

# key: (label for a person, what the speech is called, words in shorthand that mean it)
_OCCASIONS = {
    "funeral": ("Funeral or memorial", "a eulogy",
                r"funeral|eulog|memorial|celebration of life|wake\b|passed away|remembrance"),
    "wedding": ("Wedding", "a wedding toast", r"wedding|best man|maid of honou?r|bride|groom|newlyweds|matron of honou?r"),
    "retirement": ("Retirement", "a retirement speech", r"retire"),
    "birthday": ("Birthday", "a birthday speech", r"birthday|\b\d+(?:st|nd|rd|th)\b"),
    "other": ("Something else", "a speech", None),
}

OCCASIONS = tuple(_OCCASIONS)
LABELS = {k: v[0] for k, v in _OCCASIONS.items()}
SPEECH_NAMES = {k: v[1] for k, v in _OCCASIONS.items()}
SHORTHAND_WORDS = [(k, v[2]) for k, v in _OCCASIONS.items() if v[2]]  # in the order they are tried


def load_template(occasion: str) -> dict:
    """The occasion's template; an unknown occasion gets the general one."""
    path = TEMPLATES / f"{occasion}.json"
    if not path.exists():
        path = TEMPLATES / "other.json"
    return json.loads(path.read_text(encoding="utf-8"))
