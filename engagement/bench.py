"""Benchmark of the HR export and a dashboard (`make bench`, scenario "engagement"): a 12-month
monthly export by org unit, computed and written to XLSX, with its wall time and the peak of
memory Python allocated for it; then the company dashboard's figures, and the company and a
community dashboard pages as served. Targets (issue 11): at
10,000 employees and 1,000,000 posts on PostgreSQL, the export in ≤ 15 s and ≤ 300 MB, a
dashboard in ≤ 300 ms. First the activity roll-up those read (engagement/rollup.py): the whole
history once, as on a first installation, then a nightly run."""

import time
import tracemalloc
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from engagement import dashboards, exports, kpis, metrics, rollup
from engagement.models import Export


def run(out=print) -> dict:
    until = timezone.localdate()
    since = until - timedelta(days=365)
    rollup_seconds = rollup.roll_up(since=rollup._first_day())["seconds"]
    run_seconds = rollup.roll_up()["seconds"]
    nightly_seconds = rollup.roll_up(lookback=True)["seconds"]
    rows = rollup.ActivityRollup.objects.count()
    out(
        f"activity roll-up: the whole history in {rollup_seconds} s ({rows} rows); a quarter-hourly run "
        f"{run_seconds} s, the nightly one ({settings.RSE_ENGAGEMENT_ROLLUP_DAYS} days again) {nightly_seconds} s"
    )
    tracemalloc.start()
    start = time.perf_counter()
    table = metrics.build_table(since=since, until=until, granularity="month", group_by="org_unit")
    content = exports.render_file(Export(format=Export.Format.XLSX, individual_rows=False), table)
    export_seconds = round(time.perf_counter() - start, 2)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out(
        f"HR export, 12 months by month and org unit: {export_seconds} s, peak {peak / 2**20:.1f} MB, "
        f"{len(table.rows)} rows, {len(content)} bytes (targets: ≤ 15 s, ≤ 300 MB)"
    )
    start = time.perf_counter()
    spans = metrics.periods(since, until, "month")
    dashboards.scope_charts(kpis.Scope(), spans)
    dashboards.adoption(since, until)
    dashboard_ms = round(1000 * (time.perf_counter() - start))
    out(f"company dashboard figures, 12 months: {dashboard_ms} ms")
    pages = _pages()
    for name, ms in pages.items():
        out(f"{name} page (the whole response, median of 5): {ms} ms (target: ≤ 300 ms)")
    return {
        "export_seconds": export_seconds,
        "export_peak_mb": round(peak / 2**20, 1),
        "rows": len(table.rows),
        "dashboard_ms": dashboard_ms,
        "pages_ms": pages,
        "rollup_seconds": rollup_seconds,
        "rollup_run_seconds": run_seconds,
        "rollup_nightly_seconds": nightly_seconds,
        "rollup_rows": rows,
        "target": "export ≤ 15 s and ≤ 300 MB; dashboard ≤ 300 ms",
    }


def _pages() -> dict:
    """The dashboards as served: an HR analyst's company dashboard and the busiest community's,
    through Django's test client (no network), the median of 5 after a first request."""
    from django.db.models import Count
    from django.test import Client

    from communities.models import Community
    from directory.services import ensure_profile
    from rse.accounts.models import User
    from rse.accounts.roles import Role
    from rse.accounts.services import do_grant_role

    analyst, _created = User.objects.get_or_create(email="hr.bench@bench.example")
    ensure_profile(analyst)
    do_grant_role(analyst, Role.HR_ANALYST)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(analyst)
    busiest = Community.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    out = {}
    for name, path in (("company dashboard", "/engagement/dashboard/"),
                       ("community dashboard", f"/engagement/communities/{busiest.slug}/")):  # fmt: skip
        client.get(path)
        times = []
        for _i in range(5):
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        out[name] = round(1000 * sorted(times)[2])
    return out
