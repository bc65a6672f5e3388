"""The console's budgets (DESIGN.md §5, issue 15): the sign-in page's JavaScript gzipped (≤ 250 kB,
its CSS reported apart) and every route of the console's router ready within 1 s on loopback with
the demo data. The release binary (serving the web/dist it embeds) and its worker on a fresh
PostgreSQL database seeded by `grapevine demo`; Debian's Chromium driven by Playwright from
web/node_modules runs web/bench/console.bench.ts, which says exactly what it measures and writes
the figures as JSON. Knob: BENCH_CONSOLE_LOADS (warm loads per route, default 5)."""

import json
import os
import subprocess

from lib import ROOT, Platform, log, write_result

LOADS = int(os.environ.get("BENCH_CONSOLE_LOADS", "5"))
WEB = os.path.join(ROOT, "web")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def playwright():
    """web/node_modules/.bin/playwright, after `npm ci` if the console's packages are missing."""
    path = os.path.join(WEB, "node_modules", ".bin", "playwright")
    if not os.path.exists(path):
        log("console: npm ci in web/ (Playwright and the console's sources)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    return path


def run(binary):
    runner = playwright()
    browser = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    with Platform(binary, "console", demo=True) as p:
        demo_path = os.path.join(p.work, "demo.json")
        with open(demo_path, "w") as f:
            json.dump(p.demo, f)
        out = os.path.join(p.work, "console.json")
        env = dict(os.environ, GRAPEVINE_URL=p.base, CONSOLE_BENCH_DEMO=demo_path, CONSOLE_BENCH_OUT=out,
                   CONSOLE_BENCH_LOADS=str(LOADS), CHROMIUM_PATH=CHROMIUM, CI="1")
        log(f"console: the sign-in page's assets, then every route ({LOADS} warm loads each) in {browser}")
        done = subprocess.run([runner, "test", "--config", "bench/playwright.config.ts"], cwd=WEB, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        write_result("console-playwright.txt", done.stdout + done.stderr)
        if done.returncode != 0:
            raise SystemExit("the console benchmark failed: see bench/results/console-playwright.txt")
        with open(out) as f:
            figures = json.load(f)
    write_result("console.json", json.dumps(figures, indent=1))
    figures.update(browser=browser, history=p.demo["history"]["counts"])
    return figures
