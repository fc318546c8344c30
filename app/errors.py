"""What counts as a person's mistake, as opposed to a bug.

`llm` and `speech` are Qt-free libraries with their own error types; the app adds
its own for storage and input. The CLI and the GUI catch `USER_ERRORS` and show the
message; anything else is a bug and keeps its traceback.
"""

from llm.errors import ModelError
from speech.errors import SpeechError


class FondlyError(Exception):
    """A problem a person can fix: the message says what happened and what to do."""


USER_ERRORS = (FondlyError, ModelError, SpeechError)
