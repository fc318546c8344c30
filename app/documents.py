"""The text open in the editor, and what keeping it means — free of Qt, so the rule is one
place and tested without a window.

A document is ("draft", id) or ("memory", id), or None for a blank page. Keeping edits
to a draft adds a revision (the history is never rewritten); to a memory, replaces its
transcript; on a blank page with words on it, starts an "Untitled draft" — so typing
before asking Fondly for anything is never lost.
"""

from __future__ import annotations

from app.names import draft_name
from app.placement import TYPED, follow_text
from app.store import Project, Revision, Store

Doc = tuple[str, int]


def load(store: Store, doc: Doc | None, revision_id: int | None = None) -> tuple[str, Revision | None]:
    """The text to show for `doc` (a draft's current text or one revision's), and that revision."""
    if doc and doc[0] == "draft":
        shown = revision_id or store.draft(doc[1]).current_revision_id
        assert shown is not None  # a draft is made with its first revision (Store.create_draft)
        revision = store.revision(shown)
        return revision.text, revision
    if doc and doc[0] == "memory":
        return store.memory(doc[1]).text, None
    return "", None


def keep(store: Store, project: Project | None, doc: Doc | None, text: str, origin: str = "edited") -> Doc | None:
    """Keep `text` as `doc`'s newest version; return the document it now belongs to (a blank
    page becomes a draft), or None when there was nothing to keep."""
    if doc and doc[0] == "draft":  # its sources follow the text (app.placement.follow_text)
        current = store.draft(doc[1]).current_revision_id
        assert current is not None  # a draft is made with its first revision (Store.create_draft)
        before = store.revision(current).provenance
        sources = follow_text(before, text) if before else []
        said = [s for p in sources for s in p["sentences"]]
        checks = (
            {
                "after_edits": {
                    "typed": sum(s.get("origin") == TYPED for s in said),
                    "supported": sum(bool(s.get("supported")) for s in said),
                }
            }
            if said
            else {}
        )
        store.add_revision(doc[1], text, origin=origin, provenance=sources, checks=checks)
        return doc
    if doc and doc[0] == "memory":
        store.update_memory(doc[1], text=text)
        return doc
    if text.strip() and project is not None:
        draft, _ = store.create_draft(project.id, draft_name(store, project, "Untitled draft"), text, origin=origin)
        return ("draft", draft.id)
    return None
