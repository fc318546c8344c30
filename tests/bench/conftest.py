"""Benchmarks print ratios against the bare libraries doing the same work in the same run."""

import pytest

RESULTS: list[str] = []


@pytest.fixture(scope="session")
def report():
    yield RESULTS.append
    print("\n\n=== Fondly benchmarks ===")
    for line in RESULTS:
        print(line)
