"""The occasions Fondly writes for, in one place: what each is called, how shorthand names it,
and its template (sections, phrase bank, questions) in assets/templates/."""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "assets" / "templates"

# key: (label for a person, what the speech is called)
_OCCASIONS = {
    "funeral": ("Funeral or memorial", "a eulogy"),
    "wedding": ("Wedding", "a wedding toast"),
    "retirement": ("Retirement", "a retirement speech"),
    "birthday": ("Birthday", "a birthday speech"),
    "other": ("Something else", "a speech"),
}

# How shorthand names an occasion. A strong cue names it ("eulogy", "90th"); a weak one only
# suggests it ("a toast", "goodbye") and is read only when no strong cue is there: "a toast at
# his retirement" is a retirement, "say goodbye to Dad at his funeral" a funeral.
OCCASION_CUES = [
    (
        "funeral",
        {
            "strong": [
                r"\bfuneral",
                r"\beulog",
                r"\bmemorial\b",
                r"\bcelebration of (?:his |her |their )?life\b",
                r"\bwake\b",
                r"\bpassed away\b",
                r"\bremembrance\b",
                r"\bin memory of\b",
                r"\bcremat\w*",
                r"\bburial\b",
                r"\bgraveside\b",
            ],
            "weak": [r"\b(?:died|death|loss|lost (?:him|her)|rest in peace|rip)\b", r"\bservice\b"],
        },
    ),
    (
        "wedding",
        {
            "strong": [
                r"\bwedding\b",
                r"\bbest (?:man|woman|person)\b",
                r"\bmaid of honou?r\b",
                r"\bmatron of honou?r\b",
                r"\bgroomsm[ae]n\b",
                r"\bbridesmaids?\b",
                r"\bushers?\b",
                r"\bfather of the (?:bride|groom)\b",
                r"\bmother of the (?:bride|groom)\b",
                r"\bbride(?:'s)?\b",
                r"\bgroom(?:'s)?\b",
                r"\bnewly-?weds\b",
                r"\bhappy couple\b",
                r"\bnuptials\b",
                r"\bengagement\b",
                r"\bgetting married\b",
                r"\bmarriage\b",
            ],
            "weak": [r"\btoast\b", r"\bcouple\b(?! of)", r"\bmarried\b"],
        },
    ),
    (
        "retirement",
        {
            "strong": [
                r"\bretir",
                r"\blast day\b",
                r"\bleaving (?:do|party|speech|drinks)\b",
                r"\bsend[- ]?off\b",
                r"\bfarewell (?:speech|party|do)\b",
                r"\bstep(?:s|ping)? down\b",
                r"\bhang(?:s|ing)? up (?:his|her|their) \w+",
            ],
            "weak": [r"\bgoodbye\b", r"\bleaving\b", r"\bfarewell\b", r"\bmoving on\b", r"\bafter \d+ years\b"],
        },
    ),
    (
        "birthday",
        {
            "strong": [r"\bbirthday\b", r"\bb-?day\b", r"\b\d+(?:st|nd|rd|th)\b(?! (?:anniversary|year))"],
            "weak": [r"\bturning \d+\b", r"\bturns \d+\b"],
        },
    ),
    (
        "other",
        {
            "strong": [
                r"\banniversary\b",
                r"\bthank[- ]you (?:speech|do|evening|party|night|dinner)\b",
                r"\bpresentation\b",
                r"\bgraduation\b",
                r"\bchristening\b",
                r"\breunion\b",
                r"\bawards?\b",
            ],
            "weak": [],
        },
    ),
]
OCCASIONS = tuple(_OCCASIONS)
LABELS = {k: v[0] for k, v in _OCCASIONS.items()}
SPEECH_NAMES = {k: v[1] for k, v in _OCCASIONS.items()}


def load_template(occasion: str) -> dict:
    """The occasion's template; an unknown occasion gets the general one."""
    path = TEMPLATES / f"{occasion}.json"
    if not path.exists():
        path = TEMPLATES / "other.json"
    return json.loads(path.read_text(encoding="utf-8"))
