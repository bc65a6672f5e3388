"""The release build: cold (a fresh target directory: every dependency compiled) by default, timed,
and the binary's size. BENCH_BUILD=warm reuses the persistent target directory instead (quicker when
iterating; BENCHMARKS.md then says the build time is not a cold one)."""

import os
import shutil
import subprocess
import tempfile
import time

from lib import ROOT, log


def run(work):
    """Build; returns (path of a copy of the binary in `work`, figures)."""
    mode = os.environ.get("BENCH_BUILD", "cold")
    env = dict(os.environ)
    scratch = None
    if mode == "cold":
        scratch = tempfile.mkdtemp(prefix="grapevine-cold-build-")
        env["CARGO_TARGET_DIR"] = scratch
    target = env.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    log(f"build: cargo build --release --bin grapevine ({mode})")
    started = time.time()
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "grapevine"], cwd=ROOT, env=env, check=True)
    seconds = time.time() - started
    binary = os.path.join(work, "grapevine")
    shutil.copy2(os.path.join(target, "release", "grapevine"), binary)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    # The release profile keeps line tables (for profiles and backtraces); what ships without them
    # is the stripped size.
    stripped = os.path.join(work, "grapevine-stripped")
    subprocess.run(["strip", "-o", stripped, binary], check=True)
    return binary, {"mode": mode, "seconds": seconds, "size_mib": os.path.getsize(binary) / 2**20,
                    "stripped_mib": os.path.getsize(stripped) / 2**20, "rustc": rustc}
