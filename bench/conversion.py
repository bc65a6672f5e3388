"""`trackConversion` → reward row, on PostgreSQL + Redis with the real worker: conversions are
sent over HTTP (server-to-server, a secret API key) at a fixed 500/s, then as fast as they are
taken; for each one the time from its request (the conversion row's `created_at`) to its first
reward row is read from the database. The outbox is sampled every second meanwhile. Then a third
run at 500/s kills the worker with SIGKILL half-way, restarts it, and times until every
conversion is decided. Nothing may be lost (conversions stored = requests answered) or doubled
(one reward per conversion and rule).

Two more figures put these in context. The pgbench baseline: PostgreSQL alone, driven by `pgbench`
in the same database, doing the durable part of an ingestion (one conversion row, unique per tenant
and order, and one outbox row with its notification, in one transaction) into tables made `LIKE`
ours; Grapevine's ingestion is printed as a share of it. The maximum decision rate: with the
worker stopped, conversions are taken as fast as they come for a while; then the worker starts on
that backlog and its best 20-second window of decisions per second (the queue never empty
meanwhile) is the most it sustains."""

import os
import re
import signal
import subprocess
import threading
import time

from lib import (Platform, cpu_share, cpu_ticks, log, paced_wrk, percentile, perf_profile, write_result,
                 wrk)

RATE = int(os.environ.get("BENCH_CONVERSION_RATE", "500"))
DURATION = os.environ.get("BENCH_CONVERSION_DURATION", "20s")
CODES = int(os.environ.get("BENCH_CONVERSION_CODES", "10000"))
MAX_DURATION = os.environ.get("BENCH_CONVERSION_MAX_DURATION", "10s")
MAX_CONNECTIONS = int(os.environ.get("BENCH_CONVERSION_CONNECTIONS", "32"))

PGBENCH_CLIENTS = int(os.environ.get("BENCH_PGBENCH_CLIENTS", "16"))
PGBENCH_DURATION = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10"))
BACKLOG_DURATION = os.environ.get("BENCH_BACKLOG_DURATION", "20s")
WINDOW = 20

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


def decision_times(tag):
    """SQL: each conversion of the run with its referral's status and when it was decided (its first
    reward row, or its referral's update when it went to review or was rejected; NULL while
    undecided). Joins, no correlated subquery: `rewards` has no index on `conversion_id`, and a
    backlog run has tens of thousands of rows."""
    return ("WITH firsts AS (SELECT conversion_id, min(created_at) AS at FROM rewards WHERE conversion_id IS NOT NULL "
            "GROUP BY conversion_id), runs AS (SELECT c.id, CASE WHEN r.status IN ('review', 'rejected') THEN "
            "r.updated_at ELSE f.at END AS at FROM conversions c JOIN referrals r ON r.id = c.referral_id "
            f"LEFT JOIN firsts f ON f.conversion_id = c.id WHERE c.external_order_id LIKE '{tag}-%') ")


def decided(p, tag):
    """Conversions of the run, and those whose referral has been decided (rewarded, in review or
    rejected)."""
    row = p.sql(decision_times(tag) + "SELECT count(*), count(at) FROM runs")
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
    last = float(p.sql(decision_times(tag) + "SELECT EXTRACT(EPOCH FROM max(at)) FROM runs") or 0)
    return {"answered": probe["requests"] + figures["requests"], "stored": total, "decided": done,
            "after_restart_s": max(0.0, last - result["restarted_at"])}


# The durable part of one ingestion, as pgbench runs it: a conversion row and its validation job in
# one transaction, the outbox row notifying as ours does (a trigger per statement).
PGBENCH_SETUP = """
CREATE TABLE pgb_conversions (LIKE conversions INCLUDING ALL);
CREATE TABLE pgb_outbox (LIKE job_outbox INCLUDING ALL);
CREATE FUNCTION pgb_notify() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_notify('pgb_outbox', ''); RETURN NULL; END $$;
CREATE TRIGGER pgb_outbox_notify AFTER INSERT ON pgb_outbox FOR EACH STATEMENT EXECUTE FUNCTION pgb_notify();
"""
PGBENCH_SCRIPT = """\\set amount random(100, 100000)
BEGIN;
INSERT INTO pgb_conversions (id, tenant_id, campaign_id, referral_id, external_order_id, customer_external_id,
  customer_email, amount_minor, currency, campaign_amount_minor, refunded_minor, organic, occurred_at, created_at)
  VALUES (gen_random_uuid(), '{tenant}', '{campaign}', gen_random_uuid(), gen_random_uuid()::text,
  'customer-' || :client_id, 'friend@friends.example', :amount, 'USD', :amount, 0, false, now(), now());
INSERT INTO pgb_outbox (id, tenant_id, kind, payload, state, attempts, max_attempts, available_at, created_at)
  VALUES (gen_random_uuid(), '{tenant}', 'validate_referral',
  json_build_object('referral_id', gen_random_uuid(), 'conversion_id', gen_random_uuid()), 'pending', 0, 10,
  now(), now());
COMMIT;
"""


def pgbench_baseline(p):
    """pgbench's transactions per second and latencies for the durable part of an ingestion, on
    the same database, tables shaped like ours (indexes and unique keys included)."""
    tenant, campaign = p.sql("SELECT tenant_id, id FROM campaigns LIMIT 1").split("|")
    p.sql(PGBENCH_SETUP)
    script = os.path.join(p.work, "pgbench.sql")
    with open(script, "w") as f:
        f.write(PGBENCH_SCRIPT.format(tenant=tenant, campaign=campaign))
    log_prefix = os.path.join(p.work, "pgbench-log")
    out = subprocess.run(["pgbench", "--no-vacuum", "--protocol=prepared", f"--client={PGBENCH_CLIENTS}",
                          "--jobs=2", f"--time={PGBENCH_DURATION}", f"--file={script}", "--log",
                          f"--log-prefix={log_prefix}", p.db], capture_output=True, text=True, check=True).stdout
    write_result("conversion-pgbench.txt", out)
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out).group(1))
    latencies_ms = []
    for name in os.listdir(p.work):
        if name.startswith("pgbench-log"):
            with open(os.path.join(p.work, name)) as f:
                latencies_ms += [int(line.split()[2]) / 1000 for line in f if line.strip()]
    p.sql("DROP TABLE pgb_conversions, pgb_outbox; DROP FUNCTION pgb_notify() CASCADE")
    return {"tps": tps, "clients": PGBENCH_CLIENTS, "seconds": PGBENCH_DURATION,
            "transactions": len(latencies_ms), "p50_ms": percentile(latencies_ms, 50),
            "p99_ms": percentile(latencies_ms, 99)}


def decisions_per_second(p, tag):
    """{second since the epoch: decisions} of a run's conversions (a decision's time: its first
    reward row, or its referral's update when it went to review or was rejected)."""
    rows = p.sql(decision_times(tag) + "SELECT floor(EXTRACT(EPOCH FROM at))::bigint, count(*) FROM runs "
                 "WHERE at IS NOT NULL GROUP BY 1 ORDER BY 1")
    return {int(second): int(n) for second, n in (line.split("|") for line in rows.splitlines() if line)}


def backlog_phase(p, key, codes):
    """The worker stopped, conversions taken as fast as they come for BACKLOG_DURATION; then the
    worker started on that backlog: its best WINDOW-second run of decisions (all of them made while
    the queue still held work, since nothing arrives meanwhile), and the drain's length."""
    tag = "backlog"
    p.stop_role("work")
    script = lua_script(os.path.join(p.work, f"{tag}.lua"), key, codes, tag)
    out, figures = wrk(p.base, script, MAX_CONNECTIONS, BACKLOG_DURATION)
    write_result(f"conversion-{tag}.txt", out)
    started = time.time()
    p.start("work")
    total, done = wait_decided(p, tag, timeout=600)
    per_second = decisions_per_second(p, tag)
    first, last = min(per_second), max(per_second)
    # Only whole seconds after the start and before the last one: neither edge is a full second of work.
    seconds = [per_second.get(s, 0) for s in range(max(first, int(started) + 1), last)]
    if len(seconds) >= WINDOW:
        best = max(sum(seconds[i:i + WINDOW]) for i in range(len(seconds) - WINDOW + 1)) / WINDOW
        window = WINDOW
    else:
        best, window = sum(seconds) / max(len(seconds), 1), len(seconds)
    return {"queued": total, "decided": done, "ingest_rps": figures["rps"], "rate": best, "window_s": window,
            "drain_s": last + 1 - started}


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
        log(f"conversion: pgbench baseline ({PGBENCH_CLIENTS} clients, {PGBENCH_DURATION} s)")
        baseline = pgbench_baseline(p)
        log(f"conversion: {RATE}/s for {DURATION}")
        fixed = phase(p, key, codes, "fixed", rate=RATE)
        p.wait_idle()
        log(f"conversion: as fast as taken ({MAX_CONNECTIONS} connections) for {MAX_DURATION}")
        flat_out = phase(p, key, codes, "max", profile=True)
        p.wait_idle()
        log(f"conversion: {RATE}/s with the worker SIGKILLed half-way")
        crash = crash_phase(p, key, codes)
        p.wait_idle()
        log(f"conversion: a backlog of {BACKLOG_DURATION} at the maximum, then the worker on it")
        backlog = backlog_phase(p, key, codes)
        return {"fixed": fixed, "max": flat_out, "crash": crash, "backlog": backlog, "pgbench": baseline,
                "doubled": doubled(p), "rate": RATE,
                "duration": DURATION, "max_duration": MAX_DURATION, "max_connections": MAX_CONNECTIONS,
                "codes": CODES}
