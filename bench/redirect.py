"""Driver of `bench/redirect.sh`: runs the real binary on PostgreSQL + Redis and nginx side by side,
measures both with wrk, counts the clicks stored, and writes BENCHMARKS.md. Every figure comes from
this run."""

import datetime
import http.client
import urllib.parse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
BIN = os.environ["GRAPEVINE_BENCH_BIN"]
ADMIN_DB = os.environ["GRAPEVINE_TEST_DATABASE_URL"]
REDIS = os.environ.get("GRAPEVINE_TEST_REDIS_URL", "redis://127.0.0.1:6379")
CODES = int(os.environ.get("BENCH_CODES", "1000"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    return subprocess.run(["psql", url, "-qtAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def with_db(url, name):
    # postgres://user@host:port/postgres[?query] → …/name[?query]
    base, _, query = url.partition("?")
    head = base.rsplit("/", 1)[0] if base.count("/") >= 3 else base
    return f"{head}/{name}" + (f"?{query}" if query else "")


def wait_http(url, timeout=60):
    """Wait until `url` answers anything (redirects are not followed: they lead off this machine)."""
    parsed = urllib.parse.urlsplit(url)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=1)
            conn.request("GET", parsed.path or "/")
            conn.getresponse()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout}s")


def graphql(base, token, query, variables):
    req = urllib.request.Request(f"{base}/graphql", json.dumps({"query": query, "variables": variables}).encode(),
                                 {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    body = json.load(urllib.request.urlopen(req, timeout=120))
    if body.get("errors"):
        sys.exit(f"GraphQL error: {body['errors']}")
    return body["data"]


def parse_wrk(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "requests": total, "p50_ms": ms("50"), "p99_ms": ms("99"), "non_3xx": int(errors.group(1)) if errors else 0}


def main():
    os.makedirs(RESULTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="grapevine-bench-")
    db = f"gv_bench_{os.getpid()}"
    procs = []
    try:
        psql(ADMIN_DB, f"CREATE DATABASE {db}")
        port, nginx_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, DATABASE_URL=with_db(ADMIN_DB, db), REDIS_URL=REDIS,
                   GRAPEVINE_QUEUE__PREFIX=f"bench{os.getpid()}", GRAPEVINE_LOG__LEVEL="warn",
                   GRAPEVINE_SECRETS__MASTER_KEY=subprocess.check_output(["openssl", "rand", "-base64", "32"], text=True).strip(),
                   GRAPEVINE_AUTH__JWT_KEYS__K1=subprocess.check_output(["openssl", "rand", "-base64", "48"], text=True).strip(),
                   GRAPEVINE_ADMIN_PASSWORD=secrets.token_urlsafe(18), GRAPEVINE_DATABASE_MAX_CONNECTIONS="20",
                   # The load comes from one address: the per-address redirect limit is off for the run.
                   GRAPEVINE_RATE_LIMITS__REDIRECT_PER_MINUTE="0")
        env = {k: v for k, v in env.items() if not k.startswith(("GRAPEVINE_TEST_", "GRAPEVINE_BENCH_"))}
        subprocess.run([BIN, "migrate"], env=env, cwd=work, check=True)
        subprocess.run([BIN, "tenant", "create", "--slug", "bench", "--name", "Bench", "--admin-email", "admin@bench.test"],
                       env=env, cwd=work, check=True, capture_output=True)
        log = open(os.path.join(work, "grapevine.log"), "w")
        procs.append(subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}"], env=env, cwd=work, stdout=log, stderr=log))
        procs.append(subprocess.Popen([BIN, "work"], env=env, cwd=work, stdout=log, stderr=log))
        wait_http(f"{base}/healthz")
        token = subprocess.check_output([BIN, "token", "--email", "admin@bench.test"], env=env, cwd=work, text=True).strip()

        campaign = graphql(base, token, "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
                           {"i": {"name": "Bench", "startsAt": "2026-01-01T00:00:00Z", "currency": "USD",
                                  "landingUrl": "https://shop.example/welcome"}})["createCampaign"]["id"]
        graphql(base, token, "mutation($c: UUID!) { addRewardRule(campaignId: $c, input: { side: REFERRER, trigger: LEAD, kind: FIXED, amountMinor: \"100\" }) { id } }", {"c": campaign})
        graphql(base, token, "mutation($c: UUID!) { setCampaignMaterial(campaignId: $c, input: { channel: EMAIL, shareText: \"{{referral_link}}\", emailSubject: \"s\", emailHtml: \"{{referral_link}}\", emailText: \"{{referral_link}}\" }) { id } }", {"c": campaign})
        for start in range(0, CODES, 1000):
            people = [{"externalId": f"c{i}", "email": f"c{i}@bench.test"} for i in range(start, min(CODES, start + 1000))]
            graphql(base, token, "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { errors { index } } }", {"c": campaign, "p": people})
        graphql(base, token, "mutation($c: UUID!) { launchCampaign(id: $c) { status } }", {"c": campaign})
        codes = psql(env["DATABASE_URL"], "SELECT code FROM referral_links").split()
        # Let the launch emails (log-only here) finish so the workers are idle during the measurement.
        deadline = time.time() + 300
        while psql(env["DATABASE_URL"], "SELECT count(*) FROM job_outbox WHERE state IN ('pending','dispatched','running')") != "0":
            if time.time() > deadline:
                sys.exit("launch jobs did not finish in 5 minutes")
            time.sleep(1)

        lua = os.path.join(work, "paths.lua")
        with open(lua, "w") as f:
            f.write("local codes = {" + ",".join(f'"{c}"' for c in codes) + "}\n")
            f.write(f'wrk.headers["User-Agent"] = "{UA}"\n')
            f.write("request = function() return wrk.format('GET', '/r/' .. codes[math.random(#codes)]) end\n")
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(f"daemon off; worker_processes auto; pid {work}/nginx.pid; error_log {work}/nginx-error.log;\n"
                    f"events {{ worker_connections 4096; }}\n"
                    f"http {{ access_log off; client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};\n"
                    f"  server {{ listen 127.0.0.1:{nginx_port}; location /r/ {{ return 302 https://shop.example/welcome; }} }} }}\n")
        procs.append(subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx.conf"), "-p", work], stderr=subprocess.DEVNULL))
        wait_http(f"http://127.0.0.1:{nginx_port}/r/x")

        runs = {"grapevine": [], "nginx": []}
        for i in range(RUNS):
            for name, url in (("grapevine", base), ("nginx", f"http://127.0.0.1:{nginx_port}")):
                out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", lua, url],
                                     check=True, capture_output=True, text=True).stdout
                with open(os.path.join(RESULTS, f"redirect-{name}-{i + 1}.txt"), "w") as f:
                    f.write(out)
                runs[name].append(parse_wrk(out))
        time.sleep(2)  # the click writer flushes within milliseconds; leave it ample time
        stored = int(psql(env["DATABASE_URL"], "SELECT count(*) FROM clicks"))
        sent = sum(r["requests"] for r in runs["grapevine"])
        median = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")} for name, rs in runs.items()}
        write_report(median, runs, stored, sent)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            psql(ADMIN_DB, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def write_report(median, runs, stored, sent):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "unknown"
    g, n = median["grapevine"], median["nginx"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `just bench-redirect` (`bench/redirect.sh`); every figure below comes from that run.",
        f"Raw wrk output: `bench/results/redirect-*.txt`.",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()} (load generator on the same box)",
        f"- Commit: {commit}",
        f"- Setup: PostgreSQL + Redis, `grapevine serve` and `grapevine work` release builds; {CODES} live codes; "
        f"wrk -t2 -c{CONNECTIONS} -d{DURATION}, keep-alive, a random code per request; median of {RUNS} runs each.",
        "- Rate limits for the run: `rate_limits.redirect_per_minute = 0` (off: all load comes from one address).",
        "",
        "## `GET /r/{code}`",
        "",
        "| server | requests/s | p50 | p99 |",
        "|---|---:|---:|---:|",
        f"| Grapevine | {g['rps']:.0f} | {g['p50_ms']:.2f} ms | {g['p99_ms']:.2f} ms |",
        f"| nginx `return 302` | {n['rps']:.0f} | {n['p50_ms']:.2f} ms | {n['p99_ms']:.2f} ms |",
        "",
        f"- Ratio Grapevine / nginx throughput: **{g['rps'] / n['rps']:.2f}** (target ≥ 0.7).",
        f"- Clicks stored: **{stored}** of **{sent}** requests sent to Grapevine "
        f"({'all stored' if stored == sent else f'{sent - stored} missing'}); non-3xx answers: {sum(r['non_3xx'] for r in runs['grapevine'])}.",
        "",
        "Runs (requests/s): Grapevine " + ", ".join(f"{r['rps']:.0f}" for r in runs["grapevine"]) +
        "; nginx " + ", ".join(f"{r['rps']:.0f}" for r in runs["nginx"]) + ".",
        "",
    ]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
