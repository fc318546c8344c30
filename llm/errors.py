"""The one exception the text side raises for problems a person can fix."""


class ModelError(Exception):
    """A model file that cannot be used, or a prompt that cannot be run.

    The message says what happened and what to do; callers show it as it is.
    """
