"""The bundle's program (`make dist`): what `./fondly` runs when there is no checkout and no Python.

It is the `fondly` console script, with one addition. Fondly starts one child of its own, the
model check (llm.native, run once per model before its first use, so a processor that can't run
the build gives a message instead of a vanished window), as `sys.executable -m llm.native ...`. In
the bundle `sys.executable` is this program, which has no `-m`; so `-m` is honoured here, for the
modules Fondly itself starts and no others.
"""

from __future__ import annotations

import runpy
import sys

CHILD_MODULES = {"llm.native"}  # what Fondly runs as `sys.executable -m MODULE`


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "-m":
        module = sys.argv[2]
        if module not in CHILD_MODULES:
            sys.exit(f"fondly: -m {module}: the bundle runs only Fondly's own child processes")
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    from app.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
