"""Fondly's speech side, free of Qt: audio decoding, the Whisper transcriber, models."""
