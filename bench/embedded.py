"""The embedded default beside the production backends (DESIGN.md §5): the same release binary on
an SQLite database and an SQLite-backed queue (the README's first command), with the redirect at
full load and `trackConversion` as fast as it is taken, then the time from each conversion to its
first reward row. Shorter than the PostgreSQL + Redis sections (one run each): it shows what a
single-file deployment carries, not a target."""

import os

from lib import Platform, log, percentile, write_result, wrk
import conversion
import redirect

CODES = int(os.environ.get("BENCH_EMBEDDED_CODES", "1000"))
DURATION = os.environ.get("BENCH_EMBEDDED_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_EMBEDDED_CONNECTIONS", "64"))
CONVERSION_CONNECTIONS = int(os.environ.get("BENCH_EMBEDDED_CONVERSION_CONNECTIONS", "16"))


def reward_latencies(p, tag):
    """Milliseconds from each conversion of the run to its first reward row (SQLite's julianday
    reads the stored timestamps)."""
    rows = p.sql("SELECT (julianday(min(w.created_at)) - julianday(c.created_at)) * 86400000.0 "
                 "FROM conversions c JOIN rewards w ON w.conversion_id = c.id "
                 f"WHERE c.external_order_id LIKE '{tag}-%' GROUP BY c.id")
    values = [float(x) for x in rows.split()] if rows else []
    if not values:
        return {"rewarded": 0, "p50_ms": 0.0, "p99_ms": 0.0}
    return {"rewarded": len(values), "p50_ms": percentile(values, 50), "p99_ms": percentile(values, 99)}


def run(binary):
    with Platform(binary, "embedded", backend="sqlite") as p:
        codes, key = conversion.referral_shop(p, "embedded", CODES)

        log(f"embedded: redirect at full load ({CONNECTIONS} connections, {DURATION})")
        script = redirect.lua_script(os.path.join(p.work, "paths.lua"), codes)
        out, clicks = wrk(p.base, script, CONNECTIONS, DURATION)
        write_result("embedded-redirect.txt", out)
        humans, bots = redirect.generated(out)
        if clicks["bad"]:
            raise SystemExit(f"{clicks['bad']} redirect answers were not 3xx: see bench/results/embedded-redirect.txt")
        p.wait_idle()

        log(f"embedded: trackConversion as fast as taken ({CONVERSION_CONNECTIONS} connections, {DURATION})")
        tag = "embedded"
        script = conversion.lua_script(os.path.join(p.work, "conversion.lua"), key, codes, tag)
        out, conversions = wrk(p.base, script, CONVERSION_CONNECTIONS, DURATION)
        write_result("embedded-conversion.txt", out)
        if conversions["bad"]:
            raise SystemExit(f"{conversions['bad']} answers were not 2xx: see bench/results/embedded-conversion.txt")
        total, done = conversion.wait_decided(p, tag)
        stored_clicks = int(p.sql("SELECT count(*) FROM clicks"))
        result = {"redirect": clicks, "humans": humans, "bots": bots, "stored_clicks": stored_clicks,
                  "in_flight": CONNECTIONS, "conversion": conversions, "stored": total, "decided": done,
                  "codes": CODES, "duration": DURATION, "connections": CONNECTIONS,
                  "conversion_connections": CONVERSION_CONNECTIONS, "doubled": conversion.doubled(p)}
        result.update(reward_latencies(p, tag))
        return result
