"""The bench's verdicts and its printed report: one table per database, then PASS/FAIL per target.

Targets, judged with 2 workers on each database (PostgreSQL's marked as such); the
scraper parse target once.
"""

from __future__ import annotations

from typing import Any

RSS_LIMIT_MB = 150.0
FANOUT_LIMIT_S = 5.0
CACHE_SHARE_OF_STATIC = 0.5  # through nginx's cache, of nginx serving a static file
PARSE_LIMIT_MS = 50.0  # scraper matching per page at 10,000 solutions


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _sql_cell(entry: dict[str, Any] | None) -> str:
    if not entry or "x1_cold" not in entry:
        return "–"
    mark = "" if entry["constant"] else "  N+1?"
    return f"{entry['x1_cold']}/{entry['x10_cold']} · {entry['x1_warm']}/{entry['x10_warm']}{mark}"


def route_table(db: dict[str, Any]) -> str:
    """Requests/s, latency, ratio to /healthz and statements per request, one line per route."""
    header = (
        f"{'route':<54} {'status':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'ratio':>6} "
        f"{'target':>6} {'CPU ms':>7} {'CPU ratio':>9}  {'SQL 1×/10× cold · warm':<24} result"
    )
    lines = [header, "-" * len(header)]
    statements = db.get("statements", {})
    for key, entry in db.get("http", {}).items():
        target = entry.get("min_ratio")
        if entry.get("note"):
            result = entry["note"]
        elif target is None:
            result = "reference"
        else:
            result = "PASS" if entry.get("pass") else "FAIL"
        lines.append(
            f"{entry['path'][:54]:<54} {_fmt(entry.get('status')):>6} {_fmt(entry.get('rps')):>8} "
            f"{_fmt(entry.get('p50_ms'), 2):>7} {_fmt(entry.get('p95_ms'), 2):>7} {_fmt(entry.get('p99_ms'), 2):>7} "
            f"{_fmt(entry.get('ratio'), 2):>6} {('≥' + _fmt(target, 2)) if target else '':>6} "
            f"{_fmt(entry.get('cpu_ms_per_request'), 2):>7} {_fmt(entry.get('cpu_ratio'), 2):>9}  "
            f"{_sql_cell(statements.get(key)):<24} {result}"
        )
    return "\n".join(lines)


def evaluate(sqlite: dict[str, Any] | None, label: str | None = None) -> list[dict[str, Any]]:
    """PASS/FAIL per target on one database (SQLite unless ``label`` names another)."""
    if not sqlite:
        return [{"target": f"{label or 'SQLite'} run", "pass": False, "detail": "did not run"}]
    targets: list[dict[str, Any]] = []
    for key, entry in sqlite.get("http", {}).items():
        if entry.get("min_ratio") is None:
            continue
        detail = entry.get("note") or (
            f"{_fmt(entry.get('ratio'), 2)} of /healthz (by worker CPU per request: {_fmt(entry.get('cpu_ratio'), 2)})"
        )
        targets.append(
            {
                "target": f"{key} ≥ {entry['min_ratio']:.0%} of /healthz",
                "pass": bool(entry.get("pass")),
                "detail": detail + (f", {entry['errors']} errors" if entry.get("errors") else ""),
            }
        )
    statements = sqlite.get("statements", {})
    grown = [k for k, v in statements.items() if "constant" in v and not v["constant"]]
    unmeasured = [k for k, v in statements.items() if "constant" not in v]
    targets.append(
        {
            "target": "statements per request constant between 1× and 10×",
            "pass": not grown and not unmeasured,
            "detail": (f"grows: {', '.join(grown)}; " if grown else "")
            + (f"not measured: {', '.join(unmeasured)}" if unmeasured else "constant on every route"),
        }
    )
    fan = sqlite.get("fanout", {})
    targets.append(
        {
            "target": f"webhook fan-out to {fan.get('receivers', 1000)} receivers (5% dead, 2% slow) "
            f"≤ {FANOUT_LIMIT_S:.0f} s",
            "pass": bool(fan.get("pass")),
            "detail": fan.get("note")
            or (
                f"last live delivery {_fmt(fan.get('last_s'), 2)} s (p50 {_fmt(fan.get('p50_s'), 2)} s, "
                f"p95 {_fmt(fan.get('p95_s'), 2)} s), {fan.get('delivered_live')}/{fan.get('live')}"
                if fan
                else "not measured (--no-fanout)"
            ),
        }
    )
    rss = sqlite.get("worker_peak_rss_mb", {})
    peak = max(rss.values()) if rss else None
    targets.append(
        {
            "target": f"peak RSS per worker < {RSS_LIMIT_MB:.0f} MB",
            "pass": peak is not None and peak < RSS_LIMIT_MB,
            "detail": f"{_fmt(peak)} MB" if peak is not None else "not measured",
        }
    )
    for key, entry in statements.items():
        if entry.get("max_warm_ms"):
            warm = entry.get("x10_warm_ms")
            targets.append(
                {
                    "target": f"{key} warm ≤ {entry['max_warm_ms']:.0f} ms, statements constant",
                    "pass": warm is not None and warm <= entry["max_warm_ms"] and bool(entry.get("constant")),
                    "detail": f"{_fmt(warm, 2)} ms warm, SQL {_sql_cell(entry)}",
                }
            )
    targets.extend(_nginx_targets(sqlite.get("nginx")))
    if label:
        for target in targets:
            target["target"] = f"[{label}] {target['target']}"
            target["database"] = label
    return targets


def _nginx_targets(proxy: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not proxy:
        return []
    name = f"through nginx's cache ≥ {CACHE_SHARE_OF_STATIC:.0%} of nginx static"
    if proxy.get("note"):
        return [{"target": name, "pass": False, "detail": proxy["note"]}]
    rows = proxy["rows"]
    via = {k: v for k, v in rows.items() if k.endswith("_via_nginx")}
    return [
        {
            "target": name,
            "pass": all(v["share_of_static"] >= CACHE_SHARE_OF_STATIC and not v.get("errors") for v in via.values()),
            "detail": ", ".join(
                f"{k.removesuffix('_via_nginx')} {v['share_of_static']:.2f} ({v['rps']:,.0f} req/s, "
                f"{v.get('cache_status')})"
                for k, v in via.items()
            )
            + f" of static {rows['nginx_static']['rps']:,.0f} req/s",
        }
    ]


def evaluate_parse(parse: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scraper matching per page at 10,000 solutions (the slowest saved page)."""
    scaled = [v for row in parse for k, v in row.items() if k.startswith("median_ms_") and k.endswith("_solutions")]
    worst = max(scaled) if scaled else None
    return [
        {
            "target": f"scraper matching ≤ {PARSE_LIMIT_MS:.0f} ms per page at 10,000 solutions",
            "pass": worst is not None and worst <= PARSE_LIMIT_MS,
            "detail": f"slowest page {_fmt(worst, 2)} ms" if worst is not None else "not measured",
        }
    ]


def nginx_table(proxy: dict[str, Any]) -> str:
    """The cache tier's rows: req/s, latency and share of nginx serving a static file."""
    if proxy.get("note"):
        return f"nginx caching proxy: {proxy['note']}"
    header = f"{'nginx tier (same run)':<54} {'req/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'of static':>9}  cache"
    lines = [header, "-" * len(header)]
    for key, row in proxy["rows"].items():
        lines.append(
            f"{key + ' ' + row['path']:<54.54} {_fmt(row['rps']):>9} {_fmt(row['p50_ms'], 2):>7} "
            f"{_fmt(row['p95_ms'], 2):>7} {_fmt(row['share_of_static'], 2):>9}  {row.get('cache_status', '')}"
        )
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    """The whole report as text."""
    out: list[str] = []
    for kind, db in results.get("databases", {}).items():
        meta = db.get("registry", {})
        out.append("")
        out.append(
            f"== {kind}: {meta.get('solutions', '?'):,} solutions, {meta.get('change_events', '?'):,} change events, "
            f"{meta.get('portfolio_entries', '?'):,} portfolio entries, {meta.get('subscriptions', '?'):,} "
            f"subscriptions; built in {_fmt(db.get('build_seconds'))} s =="
        )
        if db.get("error"):
            out.append(f"   error: {db['error']}")
            continue
        out.append(route_table(db))
        for key, entry in db.get("statements", {}).items():
            if entry.get("max_warm_ms"):
                out.append(
                    f"{key}: warm in-process request {_fmt(entry.get('x10_warm_ms'), 2)} ms "
                    f"(target ≤ {entry['max_warm_ms']:.0f}), SQL 1×/10× cold · warm {_sql_cell(entry)}"
                )
        if db.get("nginx"):
            out.append(nginx_table(db["nginx"]))
        rss = db.get("worker_peak_rss_mb", {})
        out.append(f"peak RSS per worker (VmHWM): {', '.join(f'{v:.1f} MB' for v in rss.values()) or '–'}")
        fan = db.get("fanout", {})
        if fan.get("note"):
            out.append(f"webhook fan-out: {fan['note']}")
        elif fan:
            out.append(
                f"webhook fan-out: {fan['delivered_live']}/{fan['live']} live receivers in {_fmt(fan['last_s'], 2)} s "
                f"(first {_fmt(fan['first_s'], 2)} s, p50 {_fmt(fan['p50_s'], 2)} s, "
                f"p95 {_fmt(fan.get('p95_s'), 2)} s, "
                f"last {_fmt(fan['last_s'], 2)} s; commit of the change "
                f"{_fmt(fan['commit_s'], 2)} s; {fan['dead_refused']} refusing, {fan['dead_hanging']} hanging, "
                f"{fan['slow']} slow; worker polls every {fan['worker_poll_interval_s']} s)"
            )
            out.append(f"   delivered per second after the commit: {fan.get('delivered_per_second')}")
            out.append(f"   send latency (worker's own record): {fan.get('send_latency_ms')}")
    parse = results.get("scraper_parse", [])
    if parse:
        out.append("")
        out.append("== scraper parse time per saved page (median) ==")
        for row in parse:
            scaled = next((v for k, v in row.items() if k.startswith("median_ms_") and k.endswith("_solutions")), None)
            out.append(
                f"{row['page']:<36} {row['source']:<20} {row['bytes']:>6} B  {row['median_ms']:>8.3f} ms  "
                f"(with 10,000 solutions {scaled:>8.2f} ms {'PASS' if row.get('pass') else 'FAIL'} ≤ 50 ms)  "
                f"{row['outcome']}, {row['observations']} observations"
            )
        worst = max((r for r in parse if "pass" in r), key=lambda r: r["median_ms_10000_solutions"], default=None)
        if worst is not None:
            verdict = "PASS" if all(r["pass"] for r in parse if "pass" in r) else "FAIL"
            out.append(
                f"parse per page at 10,000 solutions: {verdict} (target ≤ 50 ms; slowest "
                f"{worst['median_ms_10000_solutions']:.2f} ms, {worst['page']})"
            )
    profiles = results.get("profiles", {})
    for key, prof in profiles.items():
        out.append("")
        if "main_thread_profile" in prof or "note" in prof:
            out.append(
                f"== profile of the delivery worker (run_once in-process, all receivers fast): {prof.get('sent')} sent "
                f"in {prof.get('seconds')} s = {prof.get('deliveries_per_second')}/s {prof.get('note', '')}=="
            )
            out.append(prof.get("main_thread_profile", ""))
            continue
        out.append(
            f"== profile of {key} ({prof['path'][:70]}): {prof['ms_per_request']} ms per request in-process, "
            f"{prof['sql_ms_per_request']} ms of it SQL =="
        )
        for statement, ms in prof.get("slowest_statements_ms_per_request", []):
            out.append(f"   {ms:>8.2f} ms  {statement[:150]}")
        out.append(prof.get("cprofile_cumulative", ""))
    out.append("")
    out.append(
        "ratio: requests/s against /healthz in the slices just before and after (median of the rounds); CPU ratio: "
        "/healthz's worker CPU per request over the route's, which a busy machine does not skew."
    )
    out.append("== targets (2 workers; SQLite unless marked) ==")
    for target in results.get("targets", []):
        out.append(f"{'PASS' if target['pass'] else 'FAIL'}  {target['target']}: {target['detail']}")
    return "\n".join(out)
