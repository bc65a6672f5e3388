"""What every benchmark of `just bench` shares: the platform under test (the real release binary on a
fresh PostgreSQL database and a private Redis key prefix), GraphQL and SQL helpers, wrk and its
output, and the machine's description. Nothing here fakes a part: the binary, the database and the
queue are the production ones."""

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
ADMIN_DB = os.environ.get("GRAPEVINE_TEST_DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres")
REDIS = os.environ.get("GRAPEVINE_TEST_REDIS_URL", "redis://127.0.0.1:6379")
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def log(msg):
    print(f"==> [{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    """One statement through psql; its unaligned output (psql's own message when it fails)."""
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr.strip()}\nstatement: {sql.strip()[:400]}")
    return done.stdout.strip()


def psql_timed(url, sql, runs):
    """Run `sql` `runs` times in one psql session; the server-side times (ms) psql's \\timing shows."""
    script = "\\timing on\n" + "".join(f"{sql.rstrip(';')};\n" for _ in range(runs))
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qtA"], input=script, check=True,
                         capture_output=True, text=True).stdout
    return [float(m) for m in re.findall(r"^Time: ([\d.]+) ms", out, re.M)]


def with_db(url, name):
    """postgres://user@host:port/postgres[?query] → …/name[?query]."""
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


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values):
    return statistics.median(values)


def write_result(name, text):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, name), "w") as f:
        f.write(text)


def rss_peak_kib(pid):
    """The process's peak resident set (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def sqlite_query(path, sql):
    """One statement on an SQLite file, its rows as psql -tA prints them ("|" between columns)."""
    with sqlite3.connect(path, timeout=30) as conn:
        rows = conn.execute(sql).fetchall()
    return "\n".join("|".join("" if v is None else str(v) for v in row) for row in rows)


class Platform:
    """`grapevine serve` (and `grapevine work` unless `worker=False`) with a tenant and an admin
    token, on the production backends — a fresh PostgreSQL database and a private Redis prefix —
    or, with `backend="sqlite"`, on the embedded default (an SQLite database and an SQLite-backed
    queue, files of their own). `overrides` are extra GRAPEVINE_* settings; `rate_limits` (stated
    in BENCHMARKS.md) default to off, because every request of a benchmark comes from one address
    and one API key. With `demo=True`, `grapevine demo --json` seeds its shop before the server
    starts (its history's jobs run inside that command) and `self.demo` holds what it printed."""

    def __init__(self, binary, name, worker=True, overrides=None, backend="postgres", demo=False):
        self.binary = binary
        self.backend = backend
        self.work = tempfile.mkdtemp(prefix=f"grapevine-bench-{name}-")
        self.dbname = f"gv_bench_{name}_{os.getpid()}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.procs = {}
        env = dict(os.environ)
        if backend == "sqlite":
            self.sqlite_path = os.path.join(self.work, "grapevine.db")
            self.db = f"sqlite://{self.sqlite_path}?mode=rwc"
            env.pop("REDIS_URL", None)
            env.update(DATABASE_URL=self.db,
                       GRAPEVINE_QUEUE__URL=f"sqlite://{os.path.join(self.work, 'queue.db')}?mode=rwc")
        else:
            psql(ADMIN_DB, f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
            psql(ADMIN_DB, f"CREATE DATABASE {self.dbname}")
            self.db = with_db(ADMIN_DB, self.dbname)
            env.update(DATABASE_URL=self.db, REDIS_URL=REDIS)
        env.update(GRAPEVINE_QUEUE__PREFIX=f"bench{name}{os.getpid()}", GRAPEVINE_LOG__LEVEL="warn",
                   GRAPEVINE_SECRETS__MASTER_KEY=subprocess.check_output(["openssl", "rand", "-base64", "32"], text=True).strip(),
                   GRAPEVINE_AUTH__JWT_KEYS__K1=subprocess.check_output(["openssl", "rand", "-base64", "48"], text=True).strip(),
                   GRAPEVINE_ADMIN_PASSWORD=secrets.token_urlsafe(18), GRAPEVINE_DATABASE_MAX_CONNECTIONS="20",
                   GRAPEVINE_RATE_LIMITS__REDIRECT_PER_MINUTE="0", GRAPEVINE_RATE_LIMITS__TRACK_PER_MINUTE="0",
                   GRAPEVINE_GRAPHQL__MAX_PAGE_SIZE="100")
        env.update(overrides or {})
        self.env = {k: v for k, v in env.items() if not k.startswith(("GRAPEVINE_TEST_", "GRAPEVINE_BENCH_"))}
        self.cli("migrate")
        self.cli("tenant", "create", "--slug", "bench", "--name", "Bench", "--admin-email", "admin@bench.test")
        self.demo = json.loads(self.cli("--listen", f"127.0.0.1:{self.port}", "demo", "--json")) if demo else None
        self.log = open(os.path.join(self.work, "grapevine.log"), "w")
        self.start("serve", "--listen", f"127.0.0.1:{self.port}")
        if worker:
            self.start("work")
        wait_http(f"{self.base}/healthz")
        self.token = self.cli("token", "--email", "admin@bench.test").strip()

    def cli(self, *args):
        return subprocess.run([self.binary, *args], env=self.env, cwd=self.work, check=True,
                              capture_output=True, text=True).stdout

    def start(self, role, *args):
        self.procs[role] = subprocess.Popen([self.binary, role, *args], env=self.env, cwd=self.work,
                                            stdout=self.log, stderr=self.log)

    def stop_role(self, role):
        proc = self.procs.pop(role, None)
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def pid(self, role):
        return self.procs[role].pid

    def sql(self, statement):
        if self.backend == "sqlite":
            return sqlite_query(self.sqlite_path, statement)
        return psql(self.db, statement)

    def graphql(self, query, variables=None, token=None):
        req = urllib.request.Request(f"{self.base}/graphql",
                                     json.dumps({"query": query, "variables": variables or {}}).encode(),
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {token or self.token}"})
        body = json.load(urllib.request.urlopen(req, timeout=300))
        if body.get("errors"):
            sys.exit(f"GraphQL error: {body['errors']}")
        return body["data"]

    def metric(self, name):
        """A counter or gauge of /metrics, summed over its labels."""
        text = urllib.request.urlopen(f"{self.base}/metrics", timeout=30).read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and line[len(name):len(name) + 1] in (" ", "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def campaign(self, name, reward_rules, codes=0, launch=True):
        """A campaign with its reward rules and `codes` enrolled participants (one link each);
        returns (campaign id, the codes)."""
        cid = self.graphql("mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
                           {"i": {"name": name, "startsAt": "2026-01-01T00:00:00Z", "currency": "USD",
                                  "landingUrl": "https://shop.example/welcome"}})["createCampaign"]["id"]
        for rule in reward_rules:
            self.graphql("mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }",
                         {"c": cid, "i": rule})
        self.graphql("mutation($c: UUID!) { setCampaignMaterial(campaignId: $c, input: { channel: EMAIL, "
                     "shareText: \"{{referral_link}}\", emailSubject: \"s\", emailHtml: \"{{referral_link}}\", "
                     "emailText: \"{{referral_link}}\" }) { id } }", {"c": cid})
        for start in range(0, codes, 1000):
            people = [{"externalId": f"{name}-{i}", "email": f"{name}-{i}@bench.test"}
                      for i in range(start, min(codes, start + 1000))]
            self.graphql("mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, "
                         "participants: $p) { errors { index } } }", {"c": cid, "p": people})
        if launch:
            self.graphql("mutation($c: UUID!) { launchCampaign(id: $c) { status } }", {"c": cid})
        # By the campaign's name: ids are stored differently by the two backends.
        found = self.sql("SELECT code FROM referral_links WHERE campaign_id = "
                         f"(SELECT id FROM campaigns WHERE name = '{name}') ORDER BY code").split()
        return cid, found

    def wait_idle(self, timeout=300):
        """Until no job waits or runs (launch emails and the like), so the measurement has the
        workers to itself."""
        deadline = time.time() + timeout
        while self.sql("SELECT count(*) FROM job_outbox WHERE state IN ('pending','dispatched','running')") != "0":
            if time.time() > deadline:
                sys.exit(f"jobs did not finish within {timeout}s")
            time.sleep(1)

    def close(self):
        for role in list(self.procs):
            self.stop_role(role)
        self.log.close()
        if self.backend == "postgres":
            try:
                psql(ADMIN_DB, f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
            except SystemExit as err:
                log(f"could not drop {self.dbname}: {err}")
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wrk(url, script, connections, duration, threads=2):
    """Run wrk with a Lua script; (raw output, parsed figures)."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", script, url],
                         check=True, capture_output=True, text=True).stdout
    return out, parse_wrk(out)


def parse_wrk(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "requests": total, "p50_ms": ms("50"), "p99_ms": ms("99"),
            "bad": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(int(g) for g in socket_errors.groups()) if socket_errors else 0}


def lua_string(s):
    return json.dumps(s)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def commit():
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    # What a run writes itself (its raw outputs, BENCHMARKS.md) does not make the tree dirty.
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":(exclude)bench/results", ":(exclude)BENCHMARKS.md"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return (out or "unknown") + (" (with uncommitted changes)" if dirty else "")


def paced_wrk(url, script_with_delay, rate, duration, delay_ms):
    """wrk at a fixed offered load: each connection waits `delay_ms` after an answer before its
    next request, so the rate is connections × 1000 / (delay + latency). A 3-second calibration
    run sets the number of connections; returns (calibration output, calibration figures,
    measured output, measured figures, connections). This is closed-loop pacing (wrk has no
    open-loop mode): if answers slow down, the offered load drops with them, which is why the
    rate reached is reported beside the latency."""
    conns = max(1, round(rate * delay_ms / 1000))
    probe_out, probe = wrk(url, script_with_delay, conns, "3s", threads=min(2, conns))
    conns = max(1, round(conns * rate / max(probe["rps"], 1)))
    out, figures = wrk(url, script_with_delay, conns, duration, threads=min(2, conns))
    return probe_out, probe, out, figures, conns


def cpu_ticks():
    """CPU time (user + system, in clock ticks) per command name, over every process: read before
    and after a run, the difference says where the machine's cores went (load generator, API,
    database, queue)."""
    ticks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # utime, stime (fields 14 and 15 of stat; 12 and 13 after the command name and state)
        ticks[(pid, comm)] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_share(before, after, seconds):
    """Cores used per command name between two `cpu_ticks` readings (processes that started in
    between count from zero)."""
    hz = os.sysconf("SC_CLK_TCK")
    used = {}
    for key, t in after.items():
        comm = key[1]
        comm = "postgres" if comm.startswith("postgres") else comm
        used[comm] = used.get(comm, 0) + (t - before.get(key, 0)) / hz / seconds
    return {k: round(v, 2) for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.02}


def tidy(line):
    """A perf report line as `share  object  symbol`: runs of padding closed up, and the empty
    trailing columns (IPC, shown as "-" on a software clock) dropped."""
    words = line.split()
    while words and words[-1] == "-":
        words.pop()
    return " ".join(words)


def perf_profile(pid, seconds, out_name):
    """A flat CPU profile (perf, software clock, `seconds` long) of process `pid`, the top symbols
    written to bench/results/`out_name`; None when perf is unavailable."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(tempfile.mkdtemp(prefix="grapevine-perf-"), "perf.data")
    try:
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-p", str(pid), "-o", data, "--",
                        "sleep", str(seconds)], check=True, capture_output=True)
        report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,symbol",
                                 "--percent-limit", "0.7"], check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError:
        return None
    finally:
        shutil.rmtree(os.path.dirname(data), ignore_errors=True)
    write_result(out_name, report)
    top = [tidy(line) for line in report.splitlines() if line.strip() and not line.startswith("#")]
    return top[:12]
