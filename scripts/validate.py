"""Run every validation set-up and print (or write into the README) the table of model against
theory and the published studies.

    make validate                    # print the table
    .venv/bin/python scripts/validate.py --readme README.md   # replace the README's table

The set-ups are those of sla_sim/validation.py, the same the tests run.
"""

from __future__ import annotations

import argparse
import platform
import re
import time
from pathlib import Path

from sla_sim.verification.setups import (
    ERLANG_A,
    ERLANG_C,
    check_funnel,
    check_hbr2011,
    check_lrm2007,
    check_queue,
    report,
)

START, END = "<!-- validation:start -->", "<!-- validation:end -->"


def main() -> None:
    parser = argparse.ArgumentParser(description="model against theory, as a Markdown table")
    parser.add_argument("--readme", type=Path, help="replace the table between the markers here")
    args = parser.parse_args()
    began = time.perf_counter()
    checks = [c for setup in ERLANG_C + ERLANG_A for c in check_queue(setup)]
    checks += check_funnel()
    checks += check_lrm2007() + check_hbr2011()
    elapsed = time.perf_counter() - began
    agreeing = sum(c.agrees for c in checks)
    text = (
        f"{report(checks)}\n\n{agreeing} of {len(checks)} measures agree. Produced by "
        f"`make validate` in {elapsed:.0f} s (Python {platform.python_version()}, seed 1; the "
        "speed-to-lead studies with seed 11)."
    )
    if args.readme:
        readme = args.readme.read_text()
        block = f"{START}\n{text}\n{END}"
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        if not pattern.search(readme):
            raise SystemExit(f"{args.readme}: no {START} ... {END} markers")
        args.readme.write_text(pattern.sub(lambda _: block, readme))
    print(text)
    if agreeing < len(checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
