"""The Fondly application: storage, services shared by the CLI and GUI, export, and the Qt GUI."""

from app.version import VERSION as __version__

__all__ = ["__version__"]
