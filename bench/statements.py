"""What one conversion costs the database, statement by statement: a probe, not a benchmark.

On PostgreSQL + Redis with the real API and worker (a fresh database, as the benchmarks use), a
campaign rewarding both sides of a first purchase; then PostgreSQL logs every statement of that
database (`log_statement = all`, set on the database only) while `COUNT` conversions are tracked
one after another and decided. The log between the first request and the idle queue is read back:
statements and transactions per conversion, split by the process that sent them (API or worker)
and grouped by their shape (literals and parameters folded), most frequent first.

    python3 bench/statements.py [path/to/grapevine]   (default: the release build)

Where it writes: bench/results/statements.txt. It needs to read PostgreSQL's log
(`/var/log/postgresql/postgresql-15-main.log`, or `PG_LOG`)."""

import collections
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from lib import Platform, log, write_result  # noqa: E402

COUNT = int(os.environ.get("STATEMENTS_CONVERSIONS", "20"))
PG_LOG = os.environ.get("PG_LOG", "/var/log/postgresql/postgresql-15-main.log")
LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] \S+@(\S+) LOG:  (?:statement|execute [^:]*): (.*)$")


def shape(sql):
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\$\d+", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"\s+", " ", sql).strip()
    return sql[:150]


def track(p, key, code, n):
    body = {"query": "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }",
            "variables": {"i": {"orderId": f"probe-{n}", "customerId": f"probe-{n}",
                                "email": f"probe-{n}@friends.example", "amountMinor": "4000",
                                "currency": "USD", "code": code}}}
    req = urllib.request.Request(f"{p.base}/graphql", json.dumps(body).encode(),
                                 {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    answer = json.load(urllib.request.urlopen(req, timeout=30))
    if answer.get("errors"):
        sys.exit(f"trackConversion: {answer['errors']}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "grapevine")
    with Platform(binary, "statements") as p:
        _, codes = p.campaign("statements", [
            {"side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500"},
            {"side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "300"},
        ], codes=COUNT)
        key = p.graphql('mutation { createApiKey(kind: SECRET, name: "probe") { key } }')["createApiKey"]["key"]
        p.wait_idle()
        p.sql(f"ALTER DATABASE {p.dbname} SET log_statement = 'all'")
        # New connections take the setting: restart both processes.
        for role in ("serve", "work"):
            p.stop_role(role)
        p.start("serve", "--listen", f"127.0.0.1:{p.port}")
        p.start("work")
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{p.base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        serve, work = p.pid("serve"), p.pid("work")
        start = os.path.getsize(PG_LOG)
        for n, code in enumerate(codes[:COUNT]):
            track(p, key, code, n)
        # Stop logging before the waits below query the database themselves.
        deadline = time.time() + 120
        while p.sql("SELECT count(*) FROM job_outbox WHERE state IN ('pending','dispatched','running')") != "0":
            if time.time() > deadline:
                sys.exit("jobs did not finish within 120 s")
            time.sleep(0.5)
        p.sql(f"ALTER DATABASE {p.dbname} RESET log_statement")
        jobs = p.sql("SELECT kind, count(*) FROM job_outbox WHERE created_at > now() - interval '5 minutes' "
                     "GROUP BY 1 ORDER BY 1")
        with open(PG_LOG, errors="replace") as f:
            f.seek(start)
            lines = f.read().splitlines()
        # Which PostgreSQL backend serves which of our processes: backend pid → client port
        # (pg_stat_activity) → the process holding that port (ss).
        port_owner = {}
        for row in subprocess.run(["ss", "-tnpH", "dst", "127.0.0.1:5432"], capture_output=True,
                                  text=True).stdout.splitlines():
            local, procs = row.split()[3], row.split()[-1]
            owner = re.search(r"pid=(\d+)", procs)
            if owner:
                port_owner[local.rsplit(":", 1)[1]] = int(owner.group(1))
        role_of = {serve: "API", work: "worker"}
        backend_role = {}
        for row in p.sql("SELECT pid, client_port FROM pg_stat_activity "
                         "WHERE datname = current_database()").splitlines():
            pid, port = row.split("|")
            backend_role[int(pid)] = role_of.get(port_owner.get(port), "other")
        by_shape = collections.Counter()
        per_role = collections.Counter()
        commits = collections.Counter()
        for line in lines:
            m = LINE.match(line)
            if not m or m.group(2) != p.dbname:
                continue
            sql = m.group(3)
            if "pg_stat_activity" in sql or "job_outbox WHERE state IN" in sql:
                continue  # this probe's own queries
            role = backend_role.get(int(m.group(1)), "other")
            per_role[role] += 1
            by_shape[(role, shape(sql))] += 1
            if sql.strip().upper() in ("COMMIT", "END"):
                commits[role] += 1
        total = sum(by_shape.values())
        out = [f"# {COUNT} conversions tracked one by one and decided, binary {binary}",
               f"statements per conversion: {total / COUNT:.1f}, of which "
               + ", ".join(f"{role} {n / COUNT:.1f} ({commits[role] / COUNT:.1f} commits)"
                           for role, n in per_role.most_common()),
               "", "jobs of the last 5 minutes by kind:", jobs, "",
               "per conversion  process  statement shape"]
        for (role, sql), n in by_shape.most_common():
            out.append(f"{n / COUNT:14.2f}  {role:7}  {sql}")
        text = "\n".join(out) + "\n"
        write_result("statements.txt", text)
        print(text)
        log("statements: bench/results/statements.txt")


if __name__ == "__main__":
    main()
