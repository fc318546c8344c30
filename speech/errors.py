"""The one exception the speech side raises for problems a person can fix."""


class SpeechError(Exception):
    """Audio that cannot be decoded, or a speech model that cannot be used.

    The message says what happened and what to do; callers show it as it is.
    """
