"""BENCHMARKS.md from one run's figures: each section's table, its targets (DESIGN.md §5) marked
met or missed, and how it was measured. Nothing here is a figure: they all come from `figures`."""

from lib import median


def verdict(ok):
    return "met" if ok else "**missed**"


def ms(x):
    return f"{x:.2f} ms"


def redirect_md(r):
    g = {k: median([x[k] for x in r["runs"]["grapevine"]]) for k in ("rps", "p50_ms", "p99_ms")}
    n = {k: median([x[k] for x in r["runs"]["nginx"]]) for k in ("rps", "p50_ms", "p99_ms")}
    ratio = g["rps"] / n["rps"]
    paced = r["paced"]
    bad = sum(x["bad"] for x in r["runs"]["grapevine"]) + paced["bad"]
    low, high = r["humans"] - r["in_flight"], r["humans"]
    all_stored = low <= r["stored"] <= high and r["dropped"] == 0
    from redirect import CODES, CONNECTIONS, DURATION, RUNS
    lines = [
        "## `GET /r/{code}`",
        "",
        f"{CODES} live codes, a random one per request, keep-alive; wrk -t2 -c{CONNECTIONS} -d{DURATION}; "
        f"median of {RUNS} runs each, Grapevine and nginx alternating. One request in twenty carries a "
        "crawler's user agent (redirected, not counted as a click).",
        "",
        "| server | requests/s | p50 | p99 |",
        "|---|---:|---:|---:|",
        f"| Grapevine | {g['rps']:.0f} | {ms(g['p50_ms'])} | {ms(g['p99_ms'])} |",
        f"| nginx `return 302` | {n['rps']:.0f} | {ms(n['p50_ms'])} | {ms(n['p99_ms'])} |",
        f"| Grapevine at half its maximum ({r['paced']['rps']:.0f} requests/s reached of {r['half']:.0f} offered, "
        f"{r['paced_conns']} paced connections) | {paced['rps']:.0f} | {ms(paced['p50_ms'])} | {ms(paced['p99_ms'])} |",
        "",
        "Runs (requests/s): Grapevine " + ", ".join(f"{x['rps']:.0f}" for x in r["runs"]["grapevine"]) +
        "; nginx " + ", ".join(f"{x['rps']:.0f}" for x in r["runs"]["nginx"]) + ".",
        "",
        f"- Throughput ratio Grapevine / nginx: **{ratio:.2f}** (target ≥ 0.7: {verdict(ratio >= 0.7)}).",
        f"- p99 at half load: **{ms(paced['p99_ms'])}** (target ≤ 5 ms: {verdict(paced['p99_ms'] <= 5)}).",
        f"- Clicks stored: **{r['stored']}**; human requests sent: {r['humans']} (of which up to {r['in_flight']} "
        f"were still in flight when a wrk run stopped), crawler requests not counted by design: {r['bots']}; "
        f"clicks dropped by a full buffer: {r['dropped']}; answers other than 3xx: {bad}. "
        f"Target clicks stored = requests sent: {verdict(all_stored)}.",
        "- Where the cores went during the first full-load run (cores used per process name): "
        + "; ".join(f"{server}: " + ", ".join(f"{k} {v}" for k, v in shares.items())
                    for server, shares in r["cpu"].items()) + ".",
        "",
    ]
    if r.get("profile"):
        lines += ["Top of the API's CPU profile at full load (perf, software clock; whole report in "
                  "`bench/results/redirect-profile.txt`):", "", "```", *r["profile"], "```", ""]
    return lines


def depth_line(samples):
    if not samples:
        return "no samples"
    peak = max(samples, key=lambda s: s[1] + s[2])
    series = " ".join(f"{t}s:{p}+{q}" for t, p, q in samples[:: max(1, len(samples) // 20)])
    return f"peak {peak[1] + peak[2]} at {peak[0]} s (waiting for the relay + in Redis or running); {series}"


def pgbench_lines(b, rps):
    """The database's own rate for an ingestion's durable work, and ours as a share of it."""
    if not b:
        return []
    return [f"- The limit, pgbench on the same database ({b['clients']} clients, {b['seconds']} s, one conversion "
            f"row and one outbox row with its notification per transaction, tables `LIKE` ours): "
            f"**{b['tps']:.0f} transactions/s**, p50 {ms(b['p50_ms'])}, p99 {ms(b['p99_ms'])}. "
            f"Grapevine / pgbench: **{rps:.0f} / {b['tps']:.0f} = {100 * rps / b['tps']:.1f} %**."]


def backlog_lines(b):
    """The most decisions per second the worker sustains on a standing queue."""
    if not b:
        return []
    window = (f"best {b['window_s']}-second window" if b["window_s"] >= 20
              else f"the whole drain, only {b['window_s']} s long")
    return [f"- Maximum sustained decisions: **{b['rate']:.0f}/s** ({window} while draining a backlog of "
            f"{b['queued']} conversions taken at {b['ingest_rps']:.0f}/s with the worker stopped; {b['decided']} "
            f"decided, in {b['drain_s']:.0f} s) (target ≥ 1 000/s: {verdict(b['rate'] >= 1000)})."]


def conversion_md(c):
    f, m, k = c["fixed"], c["max"], c["crash"]
    fixed_ok = f["p99_ms"] <= 100
    ingest_ok = m["http"]["rps"] >= 2000 and m["http"]["p99_ms"] <= 50
    crash_ok = k["stored"] == k["decided"] and k["after_restart_s"] <= 30
    # The fixed rate's calibration sends the run's first order ids, which the run then sends again
    # (answered as replays): a run lost conversions if fewer are stored than its own requests
    # answered, less those still in flight when it stopped.
    lost = [x for x in (f, m) if x["stored"] < x["http"]["requests"] - x["connections"]]
    lines = [
        "## `trackConversion` → reward decided",
        "",
        f"PostgreSQL + Redis, `grapevine serve` + `grapevine work`; {c['codes']} referrers, a new customer per "
        f"conversion; {c['duration']} at the fixed rate, {c['max_duration']} at the maximum "
        f"({c['max_connections']} connections). Latency to the reward is read from the database: the conversion "
        "row's `created_at` to its first reward row's `created_at`. The fixed rate is wrk with paced "
        "connections (closed loop: the rate reached is shown); its 3-second calibration sends the run's first "
        "order ids, which the run repeats as replays, so conversions stored are compared with the run's own "
        "requests (those still in flight when it stopped are stored too).",
        "",
        "| run | requests/s | HTTP p50 | HTTP p99 | conversions stored / requests answered | decided | to reward p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {name} | {x['http']['rps']:.0f} | {ms(x['http']['p50_ms'])} | {ms(x['http']['p99_ms'])} | "
          f"{x['stored']} / {x['http']['requests']} | {x['decided']} | {ms(x['p50_ms'])} | {ms(x['p95_ms'])} | "
          f"{ms(x['p99_ms'])} | {ms(x['max_ms'])} |"
          for name, x in ((f"{c['rate']}/s offered", f), ("maximum (wrk, no pacing)", m))],
        "",
        f"- Queue depth at {c['rate']}/s: {depth_line(f['depth'])}.",
        f"- Queue depth at the maximum: {depth_line(m['depth'])}.",
        f"- Ingestion: **{m['http']['rps']:.0f} requests/s, p99 {ms(m['http']['p99_ms'])}** "
        f"(target ≥ 2 000/s with p99 ≤ 50 ms: {verdict(ingest_ok)}).",
        *pgbench_lines(c.get("pgbench"), m["http"]["rps"]),
        *backlog_lines(c.get("backlog")),
        f"- Conversion → reward p99 at {c['rate']}/s: **{ms(f['p99_ms'])}** (target ≤ 100 ms: {verdict(fixed_ok)}).",
        f"- Worker SIGKILLed half-way through a {c['rate']}/s run and restarted: {k['decided']} of {k['stored']} "
        f"conversions decided, the last **{k['after_restart_s']:.1f} s** after the restart "
        f"(target ≤ 30 s: {verdict(crash_ok)}).",
        f"- Rewards doubled (same conversion and rule twice): **{c['doubled']}**; conversions lost: "
        f"{'none' if not lost else 'SOME (see the table)'}.",
        *[f"- Where the cores went, {name} (cores used per process name, over the run): "
          + ", ".join(f"{k} {v}" for k, v in x.get("cpu", {}).items()) + "."
          for name, x in ((f"{c['rate']}/s", f), ("at the maximum", m)) if x.get("cpu")],
        "",
    ]
    for role, title in (("serve", "the API (`grapevine serve`)"), ("work", "the worker (`grapevine work`)")):
        top = (m.get("profile") or {}).get(role)
        if top:
            lines += [f"Top of {title}'s CPU profile at the maximum (perf, software clock, 5 s; whole report in "
                      f"`bench/results/conversion-profile-{role}.txt`):", "", "```", *top, "```", ""]
    return lines


def reports_md(r):
    rows = r["sizes"]
    biggest = rows[-1]
    return [
        "## `campaignReport`",
        "",
        f"Bulk-loaded clicks over 90 days (1 000 links, four channels, 200 000 visitors); the rollups rebuilt by "
        f"`grapevine rollup --rebuild`; then {r['requests']} sequential requests over HTTP (keep-alive) for the "
        "whole 90 days: funnel, rates, channels, daily series, top referrers, insights. Beside it, the naive "
        f"aggregate over the raw clicks (clicks and distinct visitors per day and channel only), {r['naive_runs']} "
        "runs in psql (server time).",
        "",
        "| clicks | report p50 | report p99 | naive aggregate p50 | naive max | bulk load | rollup rebuild | visitors (estimate) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {x['clicks']:,} | {ms(x['p50_ms'])} | {ms(x['p99_ms'])} | {ms(x['naive_p50_ms'])} | "
          f"{ms(x['naive_max_ms'])} | {x['load_s']:.0f} s | {x['rollup_s']:.0f} s | {x['visitors']:,} |" for x in rows],
        "",
        f"- p99 over {biggest['clicks']:,} clicks: **{ms(biggest['p99_ms'])}** (target ≤ 50 ms: "
        f"{verdict(biggest['p99_ms'] <= 50)}); the naive aggregate takes {biggest['naive_p50_ms'] / max(biggest['p50_ms'], 0.001):.0f}× "
        "the report's median.",
        *[f"- Where the cores went while timing {x['clicks']:,} clicks (cores used per process name): "
          + ", ".join(f"{k} {v}" for k, v in x["cpu"].items()) + "." for x in rows if x.get("cpu")],
        "",
    ] + ([f"Top of the API's CPU profile while timing {biggest['clicks']:,} clicks (perf, software clock, 5 s; "
          f"whole report in `bench/results/reports-profile-{biggest['clicks']}.txt`):", "", "```",
          *biggest["profile"], "```", ""] if biggest.get("profile") else [])


def graphql_md(g):
    h = g["http"]
    return [
        "## GraphQL list query",
        "",
        f"`campaigns(first: 50)` with each campaign's latest 5 links (60 campaigns, 10 links each); "
        f"wrk -t2 -c{g['connections']} -d{g['duration']}. The statements: the caller's user (still active?), "
        "the page, the links of the whole page; each further nested list (`rewardRules`, …) adds one "
        "(tests/tests/batching.rs).",
        "",
        "| requests/s | p50 | p99 | API peak RSS | SQL statements per request |",
        "|---:|---:|---:|---:|---:|",
        f"| {h['rps']:.0f} | {ms(h['p50_ms'])} | {ms(h['p99_ms'])} | {g['rss_mib']:.0f} MiB | {g['statements']:.2f} |",
        "",
        f"- SQL statements per request: **{g['statements']:.2f}** (target ≤ 3: {verdict(g['statements'] <= 3)}).",
        "",
    ]


def embedded_md(e):
    r, c = e["redirect"], e["conversion"]
    low, high = e["humans"] - e["in_flight"], e["humans"]
    return [
        "## The embedded default beside",
        "",
        f"The same binary on SQLite with the SQLite-backed queue (the README's first command), {e['codes']} live "
        f"codes; one run of {e['duration']} each: the redirect (wrk -c{e['connections']}, one request in twenty "
        f"a crawler's) and `trackConversion` as fast as taken (wrk -c{e['conversion_connections']}). Shown for "
        "comparison, not held to the targets, which are the production backends'.",
        "",
        "| path | requests/s | p50 | p99 |",
        "|---|---:|---:|---:|",
        f"| `GET /r/{{code}}` | {r['rps']:.0f} | {ms(r['p50_ms'])} | {ms(r['p99_ms'])} |",
        f"| `trackConversion` | {c['rps']:.0f} | {ms(c['p50_ms'])} | {ms(c['p99_ms'])} |",
        "",
        f"- Clicks stored: **{e['stored_clicks']}** of {e['humans']} human requests sent (up to {e['in_flight']} "
        f"still in flight when wrk stopped: {verdict(low <= e['stored_clicks'] <= high)}); crawler requests: {e['bots']}.",
        f"- Conversions stored: {e['stored']} of {c['requests']} answered; decided: {e['decided']}; rewards doubled: "
        f"{e['doubled']}.",
        f"- Conversion → first reward row, over the {e['rewarded']} rewarded (the run's backlog included): "
        f"p50 **{ms(e['p50_ms'])}**, p99 **{ms(e['p99_ms'])}**.",
        "",
    ]


SIGN_IN_JS_BUDGET_KB = 250
READY_BUDGET_MS = 1000


def kb(n):
    return f"{n / 1000:.1f} kB"


def console_md(c):
    js, css = c["signIn"]["js"], c["signIn"]["css"]
    js_gz = sum(a["gzip"] for a in js)
    routes = c["routes"]
    medians = {r["id"]: median(r["ready"]) for r in routes}
    slowest = max(routes, key=lambda r: medians[r["id"]])
    history = c.get("history", {})

    def who(role):
        return role.replace("_", " ").capitalize() if role else "nobody (signed out)"

    def files(assets):
        return ", ".join(f"`{a['path']}` {kb(a['gzip'])}" for a in sorted(assets, key=lambda a: -a["gzip"]))

    return [
        "## Console budgets",
        "",
        f"The release binary serving the console it embeds (web/dist), with its worker, on a fresh PostgreSQL "
        f"database seeded by `grapevine demo` (90 days: {history.get('clicks', 0):,} clicks, "
        f"{history.get('customers', 0):,} customers, {history.get('orders', 0):,} orders); {c.get('browser', 'Chromium')} "
        f"driven by Playwright (web/bench/console.bench.ts) at {c['viewport']['width']} × {c['viewport']['height']} px, "
        "on loopback. The sign-in page: every script and stylesheet a first visit loads (empty cache, until the "
        "network is idle), each gzipped by the benchmark (zlib's default level; the server sends them "
        "uncompressed); kB = 1 000 bytes. Each route of the console's router: navigation start to the moment "
        "its screen marks `data-ready` (a `data-ready=\"true\"` and no `data-ready=\"false\"` left, seen by a "
        f"MutationObserver in the page), over {c['loads']} full page loads with a warm cache after one that filled "
        "it; each load restores the session from its cookie, as a reload does, and is signed in as the first "
        "demo staff role (marketing manager, sales, finance, ops, admin) that may see the route.",
        "",
        "| sign-in page | files | as served | gzipped |",
        "|---|---:|---:|---:|",
        f"| JavaScript | {len(js)} | {kb(sum(a['bytes'] for a in js))} | **{kb(js_gz)}** |",
        f"| CSS | {len(css)} | {kb(sum(a['bytes'] for a in css))} | {kb(sum(a['gzip'] for a in css))} |",
        "",
        "| route | path | signed in as | ready, median | min | max | DOMContentLoaded, median | ≤ 1 s |",
        "|---|---|---|---:|---:|---:|---:|---|",
        *[f"| {r['id']} | `{r['pattern']}` | {who(r['role'])} | {medians[r['id']]:.0f} ms | {min(r['ready']):.0f} ms | "
          f"{max(r['ready']):.0f} ms | {median(r['domContentLoaded']):.0f} ms | "
          f"{verdict(medians[r['id']] <= READY_BUDGET_MS)} |" for r in routes],
        "",
        f"- Sign-in page JavaScript: **{kb(js_gz)}** gzipped (target ≤ {SIGN_IN_JS_BUDGET_KB} kB: "
        f"{verdict(js_gz <= SIGN_IN_JS_BUDGET_KB * 1000)}): {files(js)}. CSS: {files(css)}.",
        f"- Every route ready within {READY_BUDGET_MS / 1000:.0f} s (median of {c['loads']} warm loads): "
        f"{verdict(all(m <= READY_BUDGET_MS for m in medians.values()))}; the slowest, {slowest['id']}, "
        f"**{medians[slowest['id']]:.0f} ms**.",
        "",
    ]


def build_md(b):
    kind = "cold: a fresh target directory" if b["mode"] == "cold" else "warm: NOT a cold build (BENCH_BUILD=warm)"
    return [
        "## Build",
        "",
        f"- `cargo build --release --bin grapevine` ({kind}): **{b['seconds']:.0f} s**; binary "
        f"**{b['size_mib']:.1f} MiB** with line tables, **{b['stripped_mib']:.1f} MiB** stripped; {b['rustc']}.",
        "",
    ]


RENDERERS = {"build": build_md, "redirect": redirect_md, "conversion": conversion_md, "reports": reports_md,
             "graphql": graphql_md, "embedded": embedded_md, "console": console_md}
INTRO = [
    "# Benchmarks",
    "",
    "Written by `just bench` (`bench/run.py`), which measures every section below in one run; "
    "`just bench-only NAME` re-measures one section in place. Each section says when, on which machine and "
    "at which commit it was measured: every figure comes from that run (load generator on the same box), "
    "none is typed by hand. Raw tool outputs: `bench/results/`. Targets: DESIGN.md §5.",
    "",
    "Rate limits during a run: `rate_limits.redirect_per_minute = 0` and `rate_limits.track_per_minute = 0` "
    "(off: all load comes from one address and one API key); every other setting at its default.",
    "",
]


def block(name, header, lines):
    """A section between markers, so a later partial run can replace it alone."""
    stamp = (f"_Measured {header['date']} on {header['machine']}, commit {header['commit']}; "
             f"that run took {header['minutes']:.1f} min._")
    return [f"<!-- bench:{name} -->", lines[0], "", stamp, *lines[1:], f"<!-- /bench:{name} -->", ""]


def notes():
    """The hand-written reading of the figures (bench/notes.md: reasoning only, no figures)."""
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        text = f.read().strip()
    return ["<!-- bench:notes -->", text, "<!-- /bench:notes -->", ""]


def merge(existing, header, figures):
    """BENCHMARKS.md with the sections in `figures` (re)written and the others kept as they were."""
    kept = {}
    for name in RENDERERS:
        start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        if start in existing and end in existing:
            text = existing[existing.index(start):existing.index(end) + len(end)]
            kept[name] = text.splitlines() + [""]
    out = list(INTRO)
    for name, render_section in RENDERERS.items():
        if name in figures:
            out += block(name, header, render_section(figures[name]))
        elif name in kept:
            out += kept[name]
    out += notes()
    return "\n".join(out)
