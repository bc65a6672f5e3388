"""`trackConversion` → reward row, on PostgreSQL + Redis with the real worker: conversions are
sent over HTTP (server-to-server, a secret API key) at a fixed 500/s, then as fast as they are
taken; for each one the time from its request (the conversion row's `created_at`) to its first
reward row is read from the database. The outbox is sampled every second meanwhile. Then a third
run at 500/s kills the worker with SIGKILL half-way, restarts it, and times until every
conversion is decided. Nothing may be lost (conversions stored = requests answered) or doubled
(one reward per conversion and rule)."""

import os
import signal
import threading
import time

from lib import Platform, cpu_share, cpu_ticks, log, paced_wrk, perf_profile, write_result, wrk

RATE = int(os.environ.get("BENCH_CONVERSION_RATE", "500"))
DURATION = os.environ.get("BENCH_CONVERSION_DURATION", "20s")
CODES = int(os.environ.get("BENCH_CONVERSION_CODES", "10000"))
MAX_DURATION = os.environ.get("BENCH_CONVERSION_MAX_DURATION", "10s")
MAX_CONNECTIONS = int(os.environ.get("BENCH_CONVERSION_CONNECTIONS", "32"))

MUTATION = ("mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }")


def lua_script(path, key, codes, tag, delay_ms=None):
    """Each request a new order and customer (`{tag}-{thread}-{n}`), its code taken round-robin
    over the live codes so no referrer trips the velocity rules."""
    with open(path, "w") as f:
        f.write("local codes = {" + ",".join(f'"{c}"' for c in codes) + "}\n")
        f.write(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.headers["Authorization"] = "Bearer {key}"\n')
        f.write("local counter = 0\n"
                "function setup(thread) counter = counter + 1; thread:set('tid', counter) end\n"
                "function init(args) n = 0 end\n"
                "function request()\n"
                "  n = n + 1\n"
                f"  local id = '{tag}-' .. tid .. '-' .. n\n"
                "  local code = codes[((n * 7 + tid) % #codes) + 1]\n"
                f"  local body = '{{\"query\":\"{MUTATION}\",\"variables\":{{\"i\":{{\"orderId\":\"' .. id .. "
                "'\",\"customerId\":\"' .. id .. '\",\"email\":\"' .. id .. '@friends.example\",\"amountMinor\":\"4000\","
                "\"currency\":\"USD\",\"code\":\"' .. code .. '\"}}}'\n"
                "  return wrk.format(nil, '/graphql', nil, body)\n"
                "end\n")
        if delay_ms is not None:
            f.write(f"function delay() return {delay_ms} end\n")
    return path


class DepthSampler(threading.Thread):
    """The outbox every second: jobs waiting to be relayed (pending) and in Redis or running."""

    def __init__(self, platform):
        super().__init__(daemon=True)
        self.platform, self.samples, self.stop = platform, [], threading.Event()

    def run(self):
        start = time.time()
        while not self.stop.is_set():
            row = self.platform.sql("SELECT count(*) FILTER (WHERE state = 'pending'), "
                                    "count(*) FILTER (WHERE state IN ('dispatched', 'running')) FROM job_outbox")
            pending, queued = (int(x) for x in row.split("|"))
            self.samples.append((round(time.time() - start), pending, queued))
            self.stop.wait(1)


def decided(p, tag):
    """Conversions of the run, and those whose referral has been decided (rewarded, in review or
    rejected)."""
    row = p.sql("SELECT count(*), count(*) FILTER (WHERE r.status IN ('review', 'rejected') OR EXISTS "
                "(SELECT 1 FROM rewards w WHERE w.conversion_id = c.id)) FROM conversions c "
                f"JOIN referrals r ON r.id = c.referral_id WHERE c.external_order_id LIKE '{tag}-%'")
    total, done = (int(x) for x in row.split("|"))
    return total, done


def wait_decided(p, tag, timeout=300):
    deadline = time.time() + timeout
    while True:
        total, done = decided(p, tag)
        if total == done or time.time() > deadline:
            return total, done
        time.sleep(0.5)


def latencies(p, tag):
    row = p.sql(
        "WITH firsts AS (SELECT EXTRACT(EPOCH FROM (min(w.created_at) - c.created_at)) * 1000 AS ms "
        "FROM conversions c JOIN rewards w ON w.conversion_id = c.id "
        f"WHERE c.external_order_id LIKE '{tag}-%' GROUP BY c.id, c.created_at) "
        "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), "
        "percentile_cont(0.95) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), "
        "max(ms) FROM firsts")
    n, p50, p95, p99, worst = row.split("|")
    return {"rewarded": int(n), "p50_ms": float(p50 or 0), "p95_ms": float(p95 or 0), "p99_ms": float(p99 or 0),
            "max_ms": float(worst or 0)}


def doubled(p):
    return int(p.sql("SELECT count(*) FROM (SELECT conversion_id, rule_id FROM rewards WHERE conversion_id IS NOT NULL "
                     "GROUP BY 1, 2 HAVING count(*) > 1) d"))


def profiled(p, seconds, delay=1):
    """Profile the API and the worker at once for `seconds`, `delay` seconds from now (threads;
    join them after the run): their top symbols land in `profile`."""
    profile = {}
    threads = [threading.Thread(target=lambda role=role: (time.sleep(delay), profile.update(
        {role: perf_profile(p.pid(role), seconds, f"conversion-profile-{role}.txt")}))) for role in ("serve", "work")]
    for t in threads:
        t.start()
    return profile, threads


def phase(p, key, codes, tag, rate=None, profile=False):
    """One run; returns its figures (with `profile`, the API's and the worker's CPU profiles and
    where the cores went)."""
    sampler = DepthSampler(p)
    sampler.start()
    before, started = cpu_ticks(), time.time()
    if profile:
        profiles, profilers = profiled(p, 5)
    script = os.path.join(p.work, f"{tag}.lua")
    if rate:
        lua_script(script, key, codes, tag, delay_ms=20)
        probe_out, probe, out, figures, conns = paced_wrk(p.base, script, rate, DURATION, 20)
        answered = probe["requests"] + figures["requests"]
        write_result(f"conversion-{tag}-calibration.txt", probe_out)
    else:
        lua_script(script, key, codes, tag)
        out, figures = wrk(p.base, script, MAX_CONNECTIONS, MAX_DURATION)
        conns, answered = MAX_CONNECTIONS, figures["requests"]
    cpu = cpu_share(before, cpu_ticks(), time.time() - started)
    if profile:
        for t in profilers:
            t.join()
    write_result(f"conversion-{tag}.txt", out)
    if figures["bad"]:
        raise SystemExit(f"{figures['bad']} answers were not 2xx: see bench/results/conversion-{tag}.txt")
    total, done = wait_decided(p, tag)
    sampler.stop.set()
    sampler.join()
    result = {"http": figures, "connections": conns, "answered": answered, "stored": total, "decided": done,
              "depth": sampler.samples, "cpu": cpu}
    if profile:
        result["profile"] = profiles
    result.update(latencies(p, tag))
    return result


def crash_phase(p, key, codes):
    """500/s for the run's duration; the worker is SIGKILLed half-way and restarted at once."""
    tag = "crash"
    script = lua_script(os.path.join(p.work, "crash.lua"), key, codes, tag, delay_ms=20)
    seconds = int(DURATION.rstrip("s"))
    result = {}

    def kill_and_restart():
        time.sleep(seconds / 2)
        p.procs["work"].send_signal(signal.SIGKILL)
        p.procs["work"].wait()
        p.procs.pop("work")
        result["killed_at"] = time.time()
        p.start("work")
        result["restarted_at"] = time.time()

    killer = threading.Thread(target=kill_and_restart)
    killer.start()
    probe_out, probe, out, figures, _ = paced_wrk(p.base, script, RATE, DURATION, 20)
    killer.join()
    write_result("conversion-crash.txt", out)
    total, done = wait_decided(p, tag, timeout=120)
    # When the last conversion of the run was decided, from the worker's restart.
    last = float(p.sql("SELECT EXTRACT(EPOCH FROM max(CASE WHEN r.status IN ('review', 'rejected') THEN r.updated_at "
                       "ELSE (SELECT min(w.created_at) FROM rewards w WHERE w.conversion_id = c.id) END)) "
                       f"FROM conversions c JOIN referrals r ON r.id = c.referral_id WHERE c.external_order_id LIKE '{tag}-%'")
                 or 0)
    return {"answered": probe["requests"] + figures["requests"], "stored": total, "decided": done,
            "after_restart_s": max(0.0, last - result["restarted_at"])}


def referral_shop(p, name, codes):
    """A launched campaign rewarding both sides of a first purchase, `codes` referrers, and a
    secret API key; returns (codes, key) once the launch's jobs are done."""
    log(f"{name}: enrolling {codes} referrers")
    _, found = p.campaign(name, [
        {"side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500"},
        {"side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "300"},
    ], codes=codes)
    key = p.graphql('mutation { createApiKey(kind: SECRET, name: "bench") { key } }')["createApiKey"]["key"]
    p.wait_idle()
    return found, key


def run(binary):
    with Platform(binary, "conversion") as p:
        codes, key = referral_shop(p, "conversion", CODES)
        log(f"conversion: {RATE}/s for {DURATION}")
        fixed = phase(p, key, codes, "fixed", rate=RATE)
        p.wait_idle()
        log(f"conversion: as fast as taken ({MAX_CONNECTIONS} connections) for {MAX_DURATION}")
        flat_out = phase(p, key, codes, "max", profile=True)
        p.wait_idle()
        log(f"conversion: {RATE}/s with the worker SIGKILLed half-way")
        crash = crash_phase(p, key, codes)
        return {"fixed": fixed, "max": flat_out, "crash": crash, "doubled": doubled(p), "rate": RATE,
                "duration": DURATION, "max_duration": MAX_DURATION, "max_connections": MAX_CONNECTIONS,
                "codes": CODES}
