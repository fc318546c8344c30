"""The Fondly application: storage, services shared by the CLI and GUI, export, and the Qt GUI."""
