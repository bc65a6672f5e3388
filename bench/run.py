"""`just bench`: builds the release binary, runs every benchmark on this machine, stops everything it
started, and rewrites BENCHMARKS.md from that run alone (raw tool outputs under bench/results/).
BENCH_ONLY=redirect,conversion,reports,graphql,embedded,console runs a subset and rewrites only those
sections (and the build's) of BENCHMARKS.md; every section carries the date, machine and commit of its
own run."""

import datetime
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build  # noqa: E402
import console  # noqa: E402
import conversion  # noqa: E402
import embedded  # noqa: E402
import graphql_list  # noqa: E402
import redirect  # noqa: E402
import reports  # noqa: E402
from lib import RESULTS, ROOT, commit, log, machine  # noqa: E402
import report_md  # noqa: E402

SECTIONS = {"redirect": redirect.run, "conversion": conversion.run, "reports": reports.run,
            "graphql": graphql_list.run, "embedded": embedded.run, "console": console.run}


def sections_of(kept):
    """The figures file as {section: {"header", "figures"}} (also from the older one-run format)."""
    if "sections" in kept:
        return kept["sections"]
    return {name: {"header": kept["header"], "figures": figures} for name, figures in kept["figures"].items()}


def rerender():
    """BENCH_RERENDER=1: BENCHMARKS.md rendered again from the figures kept of each section's last
    run (bench/results/figures.json) and the current notes, measuring nothing."""
    with open(os.path.join(RESULTS, "figures.json")) as f:
        sections = sections_of(json.load(f))
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else ""
    for name, run in sections.items():
        text = report_md.merge(text, run["header"], {name: run["figures"]})
    with open(path, "w") as f:
        f.write(text)
    log("BENCHMARKS.md rendered again from " + ", ".join(f"{n} of {r['header']['date']}" for n, r in sections.items()))


def main():
    if os.environ.get("BENCH_RERENDER"):
        return rerender()
    only = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        sys.exit(f"BENCH_ONLY: unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}")
    if not only:
        # A whole run: the raw outputs kept are this run's alone.
        shutil.rmtree(RESULTS, ignore_errors=True)
    os.makedirs(RESULTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="grapevine-bench-")
    started = time.time()
    try:
        binary, built = build.run(work)
        figures = {"build": built}
        failed = {}
        for name, section in SECTIONS.items():
            if only and name not in only:
                continue
            log(f"benchmark: {name}")
            try:
                figures[name] = section(binary)
            except (SystemExit, Exception) as err:  # noqa: BLE001 - report it, keep the others
                failed[name] = str(err)
                log(f"benchmark {name} FAILED: {err}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), "commit": commit(), "minutes": (time.time() - started) / 60}
    path = os.path.join(ROOT, "BENCHMARKS.md")
    existing = open(path).read() if os.path.exists(path) else ""
    text = report_md.merge(existing, header, figures)
    with open(path, "w") as f:
        f.write(text)
    print(text)
    # The figures as measured, beside the raw tool outputs (BENCHMARKS.md is rendered from them):
    # each section's from its last run, so a partial run keeps the others'.
    kept_path = os.path.join(RESULTS, "figures.json")
    try:
        sections = {}
        if only and os.path.exists(kept_path):
            with open(kept_path) as f:
                sections = sections_of(json.load(f))
        sections.update({name: {"header": header, "figures": fig} for name, fig in figures.items()})
        with open(kept_path, "w") as f:
            json.dump({"sections": sections, "failed": failed}, f, indent=1, default=str)
    except (TypeError, ValueError) as err:
        log(f"could not keep the figures as JSON: {err}")
    log(f"written to BENCHMARKS.md ({', '.join(figures)})")
    if failed:
        sys.exit("failed (their sections were left as they were): " + "; ".join(f"{k}: {v}" for k, v in failed.items()))


if __name__ == "__main__":
    main()
