"""Prompt assembly: the person's memories and instruction, fitted into the model's context.

Small models follow short, plain prompts best, and a prompt longer than the context
makes llama.cpp refuse outright, so sources are measured in tokens and trimmed to fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from llm.engine import Message

OCCASION_WORDS = {
    "funeral": "a eulogy",
    "wedding": "a wedding toast",
    "retirement": "a retirement speech",
    "birthday": "a birthday speech",
    "other": "a speech",
}


@dataclass
class Source:
    """One memory as the model sees it."""

    title: str
    text: str


@dataclass
class Speaker:
    occasion: str = "funeral"
    subject: str = ""
    speaker: str = ""


SYSTEM = (
    "You help a person write {speech}{about}. Write in the first person, as the speaker, "
    "warm and plain, to be read aloud. Use only the facts in the memories below. "
    "Do not invent names, places, dates or events. Write paragraphs, with no headings or lists."
)


def fit(sources: list[Source], budget: int, count_tokens: Callable[[str], int]) -> list[Source]:
    """Keep sources in order until the token budget is spent; cut the last one at a sentence."""
    kept: list[Source] = []
    left = budget
    for src in sources:
        cost = count_tokens(src.text) + count_tokens(src.title) + 4
        if cost <= left:
            kept.append(src)
            left -= cost
            continue
        sentences = src.text.replace("\n", " ").split(". ")
        text = ""
        for s in sentences:
            candidate = text + s + ". "
            if count_tokens(candidate) + count_tokens(src.title) + 4 > left:
                break
            text = candidate
        if text.strip():
            kept.append(Source(src.title, text.strip()))
        break
    return kept


def speech_messages(
    instruction: str,
    sources: list[Source],
    who: Speaker,
    context: int,
    reply_tokens: int,
    count_tokens: Callable[[str], int],
) -> list[Message]:
    """Messages asking for a speech from `sources`, leaving `reply_tokens` of room to answer."""
    about = f" for {who.subject}" if who.subject else ""
    system = SYSTEM.format(speech=OCCASION_WORDS.get(who.occasion, "a speech"), about=about)
    if who.speaker:
        system += f" The speaker is {who.speaker}."
    frame = count_tokens(system) + count_tokens(instruction) + 64  # template tokens and labels
    budget = max(0, context - reply_tokens - frame)
    kept = fit(sources, budget, count_tokens)
    memories = "\n\n".join(f"Memory \"{s.title}\":\n{s.text.strip()}" for s in kept) or "(no memories yet)"
    user = f"Memories:\n\n{memories}\n\nRequest: {instruction.strip()}"
    return [Message("system", system), Message("user", user)]
