"""Engagement pages: the HR export, the works-council page, the analytics opt-out."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communities.models import Tag
from communities.selectors import listed_communities
from directory.models import OrgUnit, Site
from engagement import charts, dashboards, exports, kpis, metrics, permissions, privacy, selectors, services
from engagement.forms import ExportForm, ObjectiveForm
from engagement.models import Export, Objective
from engagement.services import do_set_analytics_opt_out
from repository.models import Item
from rse.lib import jobs
from rse.lib.spreadsheets import write_csv

# What the works council is told is measured (one line per column of the export).
METRIC_DESCRIPTIONS = {
    "headcount": gettext_lazy("people in the group (accounts that are active, not anonymised, not opted out)"),
    "active_people": gettext_lazy("people who posted, commented or reacted in the period"),
    "contributors": gettext_lazy("people who posted or commented in the period"),
    "posts": gettext_lazy("posts written in the period"),
    "comments": gettext_lazy("comments written in the period"),
    "reactions": gettext_lazy("reactions given in the period"),
    "questions": gettext_lazy("questions asked in the period"),
    "questions_answered": gettext_lazy("of those questions, how many someone else answered"),
    "median_hours_to_first_answer": gettext_lazy("median hours from a question to its first answer"),
}


@login_required
def index(request):
    user = request.user
    context = {
        "section": "index",
        "animated": selectors.animated_communities(user),
        "opted_out": privacy.is_opted_out(user),
        "can_export": permissions.can_export(user),
        "can_read_works_council": permissions.can_read_works_council_page(user),
        "can_see_all": permissions.can_see_all_dashboards(user),
    }
    return render(request, "engagement/index.html", context)


@login_required
@require_POST
def opt_out(request):
    opted_out = request.POST.get("opted_out") == "1"
    do_set_analytics_opt_out(request.user, opted_out)
    if opted_out:
        messages.success(request, _("You are left out of engagement analytics from the next computation on."))
    else:
        messages.success(request, _("You are counted in engagement analytics again."))
    return redirect("engagement:index")


@login_required
def export_new(request):
    if not permissions.can_export(request.user):
        raise PermissionDenied(_("Only HR analysts and administrators export engagement."))
    row = privacy.get_settings()
    form = ExportForm(request.POST or None, individual_rows_allowed=row.individual_rows)
    if request.method == "POST" and form.is_valid():
        try:
            export = exports.do_request_export(request.user, source=Export.Source.WEB, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("engagement:export", export_id=export.pk)
    context = {
        "form": form,
        "exports": selectors.list_exports_for_user(request.user),
        "min_group_size": privacy.min_group_size(row),
        "columns": metrics.COLUMNS,
    }
    return render(request, "engagement/export_new.html", context)


def _export_context(export):
    return {"export": export, "job_status": jobs.status_of(export)}


@login_required
def export_detail(request, export_id):
    export = selectors.access_export_by_id(request.user, export_id)
    return render(request, "engagement/export_detail.html", _export_context(export))


@login_required
def export_status(request, export_id):
    export = selectors.access_export_by_id(request.user, export_id)
    return render(request, "engagement/_export_status.html", _export_context(export))


@login_required
def export_download(request, export_id):
    export = selectors.access_export_by_id(request.user, export_id)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404(
            _("This file is not ready, or was deleted after %(days)d days.")
            % {"days": settings.RSE_ENGAGEMENT_EXPORT_DAYS}
        )
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=export.filename)


@login_required
def works_council(request):
    if not permissions.can_read_works_council_page(request.user):
        raise PermissionDenied(_("This page is for staff representatives and administrators."))
    row = privacy.get_settings()
    context = {
        "settings_row": row,
        "min_group_size": privacy.min_group_size(row),
        "metrics": [(name, METRIC_DESCRIPTIONS[name]) for name in metrics.METRICS],
        "retention_days": settings.RSE_ENGAGEMENT_EXPORT_DAYS,
        "audit": _described(selectors.list_export_audit()),
    }
    return render(request, "engagement/works_council.html", context)


def _described(audit):
    """Each audit entry with its parameters in words (Month · Org unit · XLSX), not codes."""
    labels = {
        "granularity": dict(Export.Granularity.choices),
        "group_by": dict(Export.GroupBy.choices),
        "format": dict(Export.Format.choices),
    }
    entries = list(audit)
    for entry in entries:
        params = entry.parameters or {}
        entry.described = " · ".join(
            str(labels[name].get(params.get(name), params.get(name, "")))
            for name in ("granularity", "group_by", "format")
        )
    return entries


# --- Objectives and dashboards -----------------------------------------------------------------


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, header, rows)
    return response


def _objective_cards(objectives, *, can_delete=False):
    cards = []
    for objective in objectives:
        progress = selectors.objective_progress(objective)
        progress["can_delete"] = can_delete
        progress["chart"] = charts.line_chart(
            progress["points"], label=objective.kpi_label, target=objective.target, unit=progress.get("unit", "")
        )
        cards.append(progress)
    return cards


def _objective_form(request, community):
    """The add-an-objective form, handled; returns (form, redirect response or None)."""
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_create_objective(request.user, community, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Objective added."))
            return form, redirect(request.path)
    return form, None


@login_required
def company_objectives(request):
    if not permissions.can_see_all_dashboards(request.user):
        raise PermissionDenied(_("Company figures are for HR, internal communications and administrators."))
    can_manage = permissions.can_manage_company_objectives(request.user)
    form, done = _objective_form(request, None) if can_manage else (None, None)
    if done:
        return done
    context = {
        "section": "objectives",
        "cards": _objective_cards(selectors.list_objectives(None), can_delete=can_manage),
        "form": form,
    }
    return render(request, "engagement/objectives.html", context)


@login_required
@require_POST
def objective_delete(request, objective_id):
    """The objective's animators (or HR, internal communications for company objectives) delete it."""
    objective = get_object_or_404(Objective.objects.select_related("community"), pk=objective_id)
    services.do_delete_objective(request.user, objective)  # PermissionDenied: 403
    messages.success(request, _("Objective deleted."))
    if objective.community is not None:
        return redirect("engagement:community", objective.community.slug)
    return redirect("engagement:objectives")


@login_required
def objective_data(request, objective_id):
    objective = get_object_or_404(Objective.objects.select_related("community"), pk=objective_id)
    if objective.community is None:
        if not permissions.can_see_all_dashboards(request.user):
            raise PermissionDenied
    else:
        selectors.access_community_dashboard(request.user, objective.community.slug)
    progress = selectors.objective_progress(objective)
    rows = [[label, v, objective.target] for label, v in progress["points"]]
    return _csv_response(f"objective-{objective.pk}.csv", ["period", objective.kpi, "target"], rows)


def _dashboard(request, template, scope, context):
    """The period picker, the scope's charts, and ?csv=<chart> for any chart's numbers."""
    form = dashboards.PeriodForm(request.GET or None)
    since, until, granularity = form.period()
    if not form.is_bound:  # show the dates the page is about
        form = dashboards.PeriodForm(initial={"since": since, "until": until, "granularity": granularity})
    spans = metrics.periods(since, until, granularity)
    too_small = dashboards.scope_too_small(scope)
    chart_list = [] if too_small else dashboards.scope_charts(scope, spans)
    extra_tables = {}
    if scope.community is not None:
        nps = dashboards.nps_rows(spans, scope.community)
        chart_list.append(dashboards.nps_chart(nps))
        extra_tables["nps"] = (["period", "responses", "nps"], [[r["period"], r["responses"], r["nps"]] for r in nps])
        context["nps"] = nps
    if context.get("adoption") is not None:
        extra_tables["adoption"] = (
            ["group", "headcount", "active_people", "adoption_percent"],
            [[r["group"], r["headcount"], r["active"], r["rate"]] for r in context["adoption"]],
        )
    wanted = request.GET.get("csv")
    if wanted:
        if wanted in extra_tables:  # a table with more columns than the chart drawn from it
            header, rows = extra_tables[wanted]
            return _csv_response(f"{wanted}.csv", header, rows)
        for chart in chart_list:
            if chart.name == wanted:
                return _csv_response(f"{wanted}.csv", ["period", wanted], chart.csv_rows())
        raise Http404
    query = request.GET.copy()
    query.pop("csv", None)
    context.update(
        {
            "period_form": form,
            "since": since,
            "until": until,
            "charts": chart_list,
            "too_small": too_small,
            "min_group_size": privacy.min_group_size(),
            "query": query.urlencode(),
        }
    )
    return render(request, template, context)


def _check_all(user):
    if not permissions.can_see_all_dashboards(user):
        raise PermissionDenied(_("Company figures are for HR, internal communications and administrators."))


@login_required
def company_dashboard(request):
    _check_all(request.user)
    form = dashboards.PeriodForm(request.GET or None)
    since, until, _granularity = form.period()
    context = {
        "section": "dashboard",
        "title": _("Company"),
        "adoption": dashboards.adoption(since, until),
        "org_units": OrgUnit.objects.order_by("name"),
        "sites": Site.objects.order_by("name"),
        "communities": listed_communities(request.user).order_by("name"),
        "hashtags": Tag.objects.annotate(n=Count("posts")).filter(n__gt=0).order_by("-n", "name")[:20],
        "cards": _objective_cards(selectors.list_objectives(None)),
    }
    return _dashboard(request, "engagement/dashboard.html", kpis.Scope(), context)


@login_required
def org_unit_dashboard(request, slug):
    _check_all(request.user)
    unit = get_object_or_404(OrgUnit, slug=slug)
    context = {"section": "dashboard", "title": unit.name}
    return _dashboard(request, "engagement/dashboard.html", kpis.Scope(org_unit=unit), context)


@login_required
def site_dashboard(request, slug):
    _check_all(request.user)
    site = get_object_or_404(Site, slug=slug)
    context = {"section": "dashboard", "title": site.name}
    return _dashboard(request, "engagement/dashboard.html", kpis.Scope(site=site), context)


@login_required
def community_dashboard(request, slug):
    community = selectors.access_community_dashboard(request.user, slug)
    from animation.permissions import can_animate

    can_manage = can_animate(request.user, community) or permissions.can_manage_company_objectives(request.user)
    form, done = _objective_form(request, community) if can_manage else (None, None)
    if done:
        return done
    context = {
        "section": "community",
        "community": community,
        "title": community.name,
        "cards": _objective_cards(selectors.list_objectives(community), can_delete=can_manage),
        "form": form,
    }
    context.update(_community_extras(request, community))
    return _dashboard(request, "engagement/community.html", kpis.Scope(community=community), context)


def _community_extras(request, community) -> dict:
    since, until, _granularity = dashboards.PeriodForm(request.GET or None).period()
    start = metrics._aware(since)
    end = metrics._aware(until + timedelta(days=1))
    return {"influence": selectors.community_influence(request.user, community, since=start, until=end)}


def _context_page(request, kind, value, title):
    _check_all(request.user)
    form = dashboards.PeriodForm(request.GET or None)
    since, until, granularity = form.period()
    if not form.is_bound:
        form = dashboards.PeriodForm(initial={"since": since, "until": until, "granularity": granularity})
    data = selectors.context_influence_for_viewer(
        request.user,
        kind,
        value,
        since=metrics._aware(since),
        until=metrics._aware(until + timedelta(days=1)),
    )
    context = {
        "section": "dashboard",
        "title": title,
        "influence": data,
        "period_form": form,
        "since": since,
        "until": until,
    }
    return render(request, "engagement/context.html", context)


@login_required
def hashtag_influence(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return _context_page(request, "hashtag", tag.pk, f"#{tag.name}")


@login_required
def item_influence(request, slug):
    item = get_object_or_404(Item.objects.alive(), slug=slug)
    return _context_page(request, "item", item.pk, item.name)
