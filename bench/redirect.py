"""`GET /r/{code}`: Grapevine beside nginx answering `return 302` for the same paths in the same run,
at full load (median of several runs) and then Grapevine alone at half its maximum; afterwards the
clicks stored are compared with the human requests sent (one request in twenty carries a crawler's
user agent: redirected, never counted)."""

import os
import subprocess
import time

import threading

from lib import UA, Platform, cpu_share, cpu_ticks, free_port, log, median, perf_profile, wait_http, write_result, wrk

CODES = int(os.environ.get("BENCH_CODES", "10000"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def lua_script(path, codes, delay_ms=None):
    """A random live code per request; every 20th request of a thread is a crawler. Each thread
    counts what it generated; `done` prints the totals (a request still in flight when wrk stops
    is generated but not among wrk's completed requests)."""
    with open(path, "w") as f:
        f.write("local codes = {" + ",".join(f'"{c}"' for c in codes) + "}\n")
        f.write(f'local human, bot = "{UA}", "{BOT_UA}"\n')
        f.write("local threads = {}\n"
                "function setup(thread) table.insert(threads, thread) end\n"
                "function init(args) humans = 0; bots = 0; math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0)) end\n"
                "function request()\n"
                "  local ua = human\n"
                "  if (humans + bots) % 20 == 19 then ua = bot; bots = bots + 1 else humans = humans + 1 end\n"
                "  return wrk.format('GET', '/r/' .. codes[math.random(#codes)], { ['User-Agent'] = ua })\n"
                "end\n"
                "function done(summary, latency, requests)\n"
                "  local h, b = 0, 0\n"
                "  for _, t in ipairs(threads) do h = h + t:get('humans'); b = b + t:get('bots') end\n"
                "  io.write(string.format('GENERATED humans=%d bots=%d\\n', h, b))\n"
                "end\n")
        if delay_ms is not None:
            f.write(f"function delay() return {delay_ms} end\n")
    return path


def generated(out):
    line = next(l for l in out.splitlines() if l.startswith("GENERATED"))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    return int(fields["humans"]), int(fields["bots"])


def run(binary):
    with Platform(binary, "redirect") as p:
        log(f"redirect: enrolling {CODES} participants (one live code each)")
        _, codes = p.campaign("redirect", [{"side": "REFERRER", "trigger": "LEAD", "kind": "FIXED", "amountMinor": "100"}],
                              codes=CODES)
        p.wait_idle()
        nginx_port = free_port()
        with open(os.path.join(p.work, "nginx.conf"), "w") as f:
            w = p.work
            f.write(f"daemon off; worker_processes auto; pid {w}/nginx.pid; error_log {w}/nginx-error.log;\n"
                    f"events {{ worker_connections 4096; }}\n"
                    f"http {{ access_log off; client_body_temp_path {w}; proxy_temp_path {w}; fastcgi_temp_path {w}; "
                    f"uwsgi_temp_path {w}; scgi_temp_path {w};\n"
                    f"  server {{ listen 127.0.0.1:{nginx_port}; location /r/ {{ return 302 https://shop.example/welcome; }} }} }}\n")
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(p.work, "nginx.conf"), "-p", p.work], stderr=subprocess.DEVNULL)
        try:
            wait_http(f"http://127.0.0.1:{nginx_port}/r/x")
            script = lua_script(os.path.join(p.work, "paths.lua"), codes)
            runs = {"grapevine": [], "nginx": []}
            humans = bots = 0
            cpu = {}
            for i in range(RUNS):
                for name, url in (("grapevine", p.base), ("nginx", f"http://127.0.0.1:{nginx_port}")):
                    log(f"redirect: run {i + 1}/{RUNS}, {name}")
                    before, started = cpu_ticks(), time.time()
                    out, figures = wrk(url, script, CONNECTIONS, DURATION)
                    if i == 0:
                        cpu[name] = cpu_share(before, cpu_ticks(), time.time() - started)
                    write_result(f"redirect-{name}-{i + 1}.txt", out)
                    runs[name].append(figures)
                    if name == "grapevine":
                        h, b = generated(out)
                        humans, bots = humans + h, bots + b
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)

        # A profiled run: perf samples the API for 5 s in the middle of a 7 s wrk run.
        log("redirect: profiling the API under full load")
        profile = {}
        sampler = threading.Thread(target=lambda: (time.sleep(1), profile.update(
            top=perf_profile(p.pid("serve"), 5, "redirect-profile.txt"))))
        sampler.start()
        out, profiled_run = wrk(p.base, script, CONNECTIONS, "7s")
        sampler.join()
        h, b = generated(out)
        humans, bots = humans + h, bots + b
        profiled = profiled_run["requests"]

        g_max = median([r["rps"] for r in runs["grapevine"]])
        half = g_max / 2
        # Fixed offered load: each connection waits `delay` ms after an answer before its next
        # request, so the rate is connections × 1000 / (delay + latency); a short calibration run
        # sets the number of connections, then the measured run reports the rate it reached.
        delay_ms = 2
        conns = max(1, round(half * delay_ms / 1000))
        calibration = lua_script(os.path.join(p.work, "paced.lua"), codes, delay_ms)
        probe_out, probe = wrk(p.base, calibration, conns, "3s")
        # Requests still in flight when a wrk run stops were generated (and may be stored) but
        # are not among its completed requests: at most one per connection per run.
        in_flight = CONNECTIONS * (RUNS + 1) + conns
        conns = max(1, round(conns * half / max(probe["rps"], 1)))
        log(f"redirect: half load, about {half:.0f} requests/s over {conns} paced connections")
        out, paced = wrk(p.base, calibration, conns, DURATION)
        write_result("redirect-grapevine-half-load.txt", out)
        # Every run's clicks are stored, the calibration's too.
        for text in (probe_out, out):
            h, b = generated(text)
            humans, bots = humans + h, bots + b
        in_flight += conns
        completed = (sum(r["requests"] for r in runs["grapevine"]) + profiled + probe["requests"]
                     + paced["requests"])

        time.sleep(2)  # the click writer flushes within milliseconds; leave it ample time
        stored = int(p.sql("SELECT count(*) FROM clicks"))
        dropped = int(p.metric("grapevine_clicks_dropped_total"))
    return {"runs": runs, "humans": humans, "bots": bots, "stored": stored, "dropped": dropped,
            "paced": paced, "paced_conns": conns, "half": half, "completed": completed, "cpu": cpu, "profile": profile.get("top"),
            "in_flight": in_flight}
