"""Fondly's text side, free of Qt: models, the llama.cpp engine, prompts and checks."""
