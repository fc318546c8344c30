"""The interview over the store (Qt-free): the questions for a project, skipping one, answering one.

The questions themselves are llm.questions' (pure); this module gives them what the project
knows — its memories, people, occasion, the shorthand read into a Brief — and what the
database remembers: which questions a memory answers (`memories.question`) and which were
skipped, and when. The window, the CLI and the evaluation all come through here.
"""

from __future__ import annotations

from app.errors import FondlyError
from app.store import Memory, Project, Store
from llm.brief import Brief
from llm.composition import Source
from llm.occasions import load_template

# the shortfall line's "1.6 of 3.0 min — answer 4 questions": enough(questions, short_seconds) -> int
from llm.questions import (
    ID,
    Question,
    ask,
    enough,  # noqa: F401
    short_of,
)

# what an id looks like for each kind of question (llm.questions); the story and topic kinds
# come from a shorthand, so one can be answered that the project's own list doesn't show
KINDS = ("light-moment", "story:", "topic:", "follow:", "section:", "more:")
FROM_SHORTHAND = ("light-moment", "story:", "topic:")


def _brief(store: Store, project: Project, shorthand: str | None) -> Brief:
    """The shorthand read for this project; with none, a Brief that asks nothing but knows who speaks."""
    if shorthand and shorthand.strip():
        from app.writing import make_brief

        brief = make_brief(store, project, shorthand)
    else:
        template = load_template(project.occasion)
        brief = Brief(occasion=project.occasion, subject=project.subject)
        brief.set_length(project.pace, template["minutes"])
    brief.speaker = brief.speaker or project.speaker
    return brief


def questions(
    store: Store, project: Project, shorthand: str | None = None, include_done: bool = False
) -> list[Question]:
    """The project's questions worth answering, in order (llm.questions.ask). `include_done` also
    lists those already answered (to look an id up)."""
    brief = _brief(store, project, shorthand)
    sources = [Source(m.id, m.title, m.text) for m in store.memories(project.id) if m.text.strip()]
    return ask(
        brief.occasion,
        brief.subject or project.subject,
        sources,
        brief,
        load_template(brief.occasion),
        project.names,
        set() if include_done else answered(store, project.id),
        store.skipped_questions(project.id),
        project.pace,
    )


def short_seconds(store: Store, project: Project, shorthand: str | None = None) -> float:
    """About how many seconds of speech the project's memories lack for the asked length (0 when they
    are enough): the estimate the question list is made long enough for. The shortfall line of a
    draft has the draft's own length; this is for before there is one."""
    brief = _brief(store, project, shorthand)
    sources = [Source(m.id, m.title, m.text) for m in store.memories(project.id) if m.text.strip()]
    asked, given = short_of(sources, brief, load_template(brief.occasion), project.pace)
    return max(0.0, asked - given)


def skip(store: Store, project_id: int, question_id: str) -> None:
    """Remember in the database that the question was skipped: it goes to the end of the list."""
    store.skip_question(project_id, question_id)


def answered(store: Store, project_id: int) -> set[str]:
    """The ids of the questions a memory of the project answers."""
    return store.answered_questions(project_id)


def answer_typed(store: Store, project: Project, question: Question, text: str) -> Memory:
    """A typed answer: a memory titled by the question, linked to it, so it does not come back."""
    if not text.strip():
        raise FondlyError("The answer is empty; type what you remember, or skip the question.")
    return store.add_memory(project.id, "typed", question.text, text=text.strip(), question=question.id)


def find(store: Store, project: Project, question_id: str) -> Question | None:
    """The question an id names, for the CLI's `--answers ID`: looked up in the project's list and
    in the lists of the shorthands its drafts were written from (newest first). A well-formed id
    of a kind a shorthand asks (a light moment, a story, a topic) that isn't found is still taken
    — it may come from a shorthand given only to `fondly questions` — and is returned as None;
    any other id is a mistake, said in one line with how to list them."""
    question_id = question_id.strip()
    if ID.match(question_id) and question_id.startswith(KINDS):
        shorthands = [None] + [d.brief.get("shorthand") for d in reversed(store.drafts(project.id))]
        for shorthand in dict.fromkeys(s for s in shorthands if s is None or s.strip()):
            for q in questions(store, project, shorthand, include_done=True):
                if q.id == question_id:
                    return q
        if question_id.startswith(FROM_SHORTHAND):
            return None
    raise FondlyError(
        f"There is no question {question_id!r} for {project.title!r}. "
        f"`fondly questions {project.id}` lists them (add your shorthand for the ones it asks)."
    )
