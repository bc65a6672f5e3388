"""`campaignReport` over 1 M and then 10 M bulk-loaded clicks (90 days, 1 000 links, four
channels, 200 000 visitors), read from the rollups, beside the naive aggregate over the raw clicks
(clicks and distinct visitors per day and channel: only the click part of what the report shows).
The rollups are rebuilt with `grapevine rollup --rebuild` after each load, and that is timed too."""

import http.client
import json
import os
import threading
import time
import urllib.parse

from lib import Platform, cpu_share, cpu_ticks, log, percentile, perf_profile, psql_timed, write_result

SIZES = [int(x) for x in os.environ.get("BENCH_REPORT_CLICKS", "1000000,10000000").split(",")]
REQUESTS = int(os.environ.get("BENCH_REPORT_REQUESTS", "100"))
NAIVE_RUNS = int(os.environ.get("BENCH_REPORT_NAIVE_RUNS", "5"))
LINKS = 1000
VISITORS = 200_000
FROM, TO, DAYS = "2026-08-01", "2026-10-29", 90

QUERY = """query($c: UUID!, $from: NaiveDate!, $to: NaiveDate!) {
  campaignReport(campaignId: $c, from: $from, to: $to) {
    funnel { clicks uniqueVisitors leads approved customers orders }
    clickToLead { value low high } clickToCustomer { value } revenue { amountMinor } rewardCost { amountMinor }
    roi costPerAcquisition { amountMinor } kFactor participants
    byChannel { key clicks uniqueVisitors leads customers conversionRate { value } }
    series { key clicks uniqueVisitors leads customers }
    topReferrers { externalId clicks leads customers }
    insights { kind finding significant }
  }
}"""


def load(p, campaign, first, count):
    """Clicks `first`..`first+count` spread evenly over the 90 days, with time-ordered (v7-shaped)
    ids as the redirect writes them, in statements of a million rows."""
    step = DAYS * 86400 / SIZES[-1]
    for start in range(first, first + count, 1_000_000):
        end = min(first + count, start + 1_000_000)
        p.sql(f"""
            INSERT INTO clicks (id, tenant_id, campaign_id, link_id, channel, visitor_hash, created_at)
            SELECT (lpad(to_hex((EXTRACT(EPOCH FROM t.at) * 1000)::bigint), 12, '0') || '7' ||
                    substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid,
                   l.tenant_id, l.campaign_id, l.id,
                   (ARRAY['email', 'sms', 'social', 'qr'])[1 + g % 4],
                   substr(md5((g % {VISITORS})::text), 1, 32), t.at
            FROM generate_series({start}, {end - 1}) g
            CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '{FROM} 00:00:00+00' +
                                       ((g::bigint * 7919) % {SIZES[-1]}) * {step} * INTERVAL '1 second' AS at) t
            JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, tenant_id, campaign_id
                  FROM referral_links WHERE campaign_id = '{campaign}') l ON l.i = g % {LINKS}
        """)
    p.sql("ANALYZE clicks")


def time_reports(p, campaign):
    """`campaignReport` over HTTP with keep-alive, a few warm-up requests, then REQUESTS timed."""
    parsed = urllib.parse.urlsplit(p.base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    body = json.dumps({"query": QUERY, "variables": {"c": campaign, "from": FROM, "to": TO}})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {p.token}"}
    times, last = [], None
    for i in range(REQUESTS + 3):
        start = time.perf_counter()
        conn.request("POST", "/graphql", body, headers)
        answer = json.loads(conn.getresponse().read())
        elapsed = (time.perf_counter() - start) * 1000
        if answer.get("errors"):
            raise SystemExit(f"campaignReport failed: {answer['errors']}")
        last = answer["data"]["campaignReport"]
        if i >= 3:
            times.append(elapsed)
    return times, last


def run(binary):
    results = []
    # No worker: the measurement has the machine to itself (the rollups are rebuilt by the CLI).
    with Platform(binary, "reports", worker=False) as p:
        campaign, _ = p.campaign("reports", [{"side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED",
                                              "amountMinor": "500"}], codes=LINKS)
        loaded = 0
        for size in SIZES:
            log(f"reports: loading clicks up to {size}")
            started = time.time()
            load(p, campaign, loaded, size - loaded)
            load_s = time.time() - started
            loaded = size
            started = time.time()
            p.cli("rollup", "--rebuild", "--campaign", campaign)
            rollup_s = time.time() - started
            log(f"reports: {size} clicks loaded in {load_s:.0f}s, rollups rebuilt in {rollup_s:.0f}s; timing")
            # Where the time goes: the API's CPU profile (5 s, a second in) and the cores used.
            profile = {}
            profiler = threading.Thread(target=lambda: (time.sleep(1), profile.update(
                top=perf_profile(p.pid("serve"), 5, f"reports-profile-{size}.txt"))))
            before, timing_started = cpu_ticks(), time.time()
            profiler.start()
            times, report = time_reports(p, campaign)
            profiler.join()
            cpu = cpu_share(before, cpu_ticks(), time.time() - timing_started)
            if int(report["funnel"]["clicks"]) != size:
                raise SystemExit(f"the report counts {report['funnel']['clicks']} clicks of {size}")
            naive_sql = (f"SELECT date_trunc('day', created_at) AS day, channel, count(*), count(DISTINCT visitor_hash) "
                         f"FROM clicks WHERE campaign_id = '{campaign}' AND created_at >= '{FROM}' "
                         f"AND created_at < DATE '{TO}' + 1 GROUP BY 1, 2")
            naive = psql_timed(p.db, naive_sql, NAIVE_RUNS)
            write_result(f"reports-{size}.json", json.dumps({"report_ms": times, "naive_ms": naive, "load_s": load_s,
                                                             "rollup_s": rollup_s, "report": report}, indent=2))
            results.append({"clicks": size, "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
                            "naive_p50_ms": percentile(naive, 50), "naive_max_ms": max(naive),
                            "load_s": load_s, "rollup_s": rollup_s,
                            "visitors": int(report["funnel"]["uniqueVisitors"]), "cpu": cpu,
                            "profile": profile.get("top")})
    return {"sizes": results, "requests": REQUESTS, "naive_runs": NAIVE_RUNS}
