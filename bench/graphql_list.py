"""A typical GraphQL list query: a page of 50 campaigns with their latest links (DESIGN.md §5's
shape; each further nested list, such as `rewardRules`, adds one batched statement per request).
Throughput and p99 under wrk, the API's peak resident set afterwards, and the SQL statements a
request costs (the API's own `grapevine_db_statements_total`, read before and after a run of
sequential requests)."""

import http.client
import json
import os
import urllib.parse

from lib import Platform, log, rss_peak_kib, write_result, wrk

CAMPAIGNS = 60
LINKS_EACH = 10
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_GRAPHQL_CONNECTIONS", "16"))
SEQUENTIAL = 50

QUERY = ("query { campaigns(first: 50) { edges { node { id name status startsAt currency "
         "budget { amountMinor currency } "
         "links(first: 5) { code url channel } } } pageInfo { hasNextPage endCursor } } }")


def run(binary):
    with Platform(binary, "graphql", worker=False) as p:
        log(f"graphql: {CAMPAIGNS} campaigns with {LINKS_EACH} links each")
        for i in range(CAMPAIGNS):
            p.campaign(f"list{i}", [
                {"side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500"},
                {"side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "300"},
            ], codes=LINKS_EACH, launch=False)
        body = json.dumps({"query": QUERY})
        parsed = urllib.parse.urlsplit(p.base)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {p.token}"}

        def ask():
            conn.request("POST", "/graphql", body, headers)
            answer = json.loads(conn.getresponse().read())
            if answer.get("errors"):
                raise SystemExit(f"the list query failed: {answer['errors']}")
            return answer["data"]

        page = ask()["campaigns"]["edges"]
        if len(page) != 50 or any(len(e["node"]["links"]) != 5 for e in page):
            raise SystemExit("the list query did not return 50 campaigns with 5 links each")
        # A scrape of /metrics counts the outbox itself: its own statements are measured first
        # (two scrapes with nothing between) and taken off.
        first = p.metric("grapevine_db_statements_total")
        scrape = p.metric("grapevine_db_statements_total") - first
        before = p.metric("grapevine_db_statements_total")
        for _ in range(SEQUENTIAL):
            ask()
        statements = (p.metric("grapevine_db_statements_total") - before - scrape) / SEQUENTIAL
        script = os.path.join(p.work, "list.lua")
        with open(script, "w") as f:
            f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                    f'wrk.headers["Content-Type"] = "application/json"\n'
                    f'wrk.headers["Authorization"] = "Bearer {p.token}"\n')
        log(f"graphql: wrk -c{CONNECTIONS} -d{DURATION}")
        out, figures = wrk(f"{p.base}/graphql", script, CONNECTIONS, DURATION)
        write_result("graphql-list.txt", out)
        if figures["bad"]:
            raise SystemExit(f"{figures['bad']} answers were not 2xx: see bench/results/graphql-list.txt")
        rss = rss_peak_kib(p.pid("serve"))
    return {"http": figures, "statements": statements, "rss_mib": rss / 1024, "connections": CONNECTIONS,
            "duration": DURATION}
