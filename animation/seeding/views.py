"""Seeding pages of the Animate space: scheduled posts, templates, bulk invitations, champions,
starter content; and the champions' early view of a launch post."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from animation.forms_errors import apply_errors
from animation.permissions import can_manage_templates
from animation.seeding import selectors, services
from animation.seeding.forms import (
    BulkInvitationForm,
    ChampionForm,
    ChampionsLeadForm,
    SaveAsTemplateForm,
    ScheduledPostForm,
    StarterImportForm,
)
from animation.seeding.models import SeedingSetup
from animation.selectors import access_animated_community
from communities.models import Membership
from rse.accounts.models import User
from rse.lib.ratelimit import limit_rate


def _render(request, template, community, section, **context):
    return render(request, template, {"community": community, "section": section, **context})


# --- Scheduled posts ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request, slug):
    community = access_animated_community(request.user, slug)
    form = ScheduledPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_schedule_post(request.user, community, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Scheduled. It will be published at the time you chose."))
            return redirect("animation:schedule", community.slug)
    waiting, done = selectors.scheduled_queue(community)
    return _render(request, "animation/schedule.html", community, "schedule", form=form, waiting=waiting, done=done,
                   now=timezone.now())  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, slug, pk):
    scheduled = selectors.access_scheduled_post_by_id(request.user, pk)
    community = scheduled.community
    if community.slug != slug:
        return redirect("animation:schedule_edit", community.slug, pk)
    initial = {
        "kind": scheduled.kind, "title": scheduled.title, "body_md": scheduled.body_md,
        "publish_at": timezone.localtime(scheduled.publish_at), "is_launch": scheduled.is_launch,
    }  # fmt: skip
    form = ScheduledPostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_edit_scheduled_post(request.user, scheduled, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Scheduled post updated."))
            return redirect("animation:schedule", community.slug)
    return _render(request, "animation/schedule_edit.html", community, "schedule", form=form, scheduled=scheduled)


@login_required
@require_POST
def schedule_cancel(request, slug, pk):
    scheduled = selectors.access_scheduled_post_by_id(request.user, pk)
    try:
        services.do_cancel_scheduled_post(request.user, scheduled)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Cancelled: it will not be published."))
    return redirect("animation:schedule", scheduled.community.slug)


@login_required
def launch_preview(request, slug, pk):
    """A champion (or an animator) reads a launch post before it is published."""
    scheduled = selectors.access_launch_post(request.user, slug, pk)
    if scheduled.post_id:
        return redirect("post_detail", scheduled.post_id)
    from communities.text import process

    body_html = process(scheduled.body_md, author=scheduled.author).html
    return render(
        request, "animation/launch_preview.html",
        {"community": scheduled.community, "scheduled": scheduled, "body_html": body_html},
    )  # fmt: skip


# --- Templates -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def templates(request, slug):
    community = access_animated_community(request.user, slug)
    form = SaveAsTemplateForm(request.POST or None, initial={"name": community.name})
    if request.method == "POST":
        if not can_manage_templates(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.do_save_as_template(request.user, community, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved as a template: it is now offered when creating a community."))
                return redirect("animation:templates", community.slug)
    rows = [(t, services.template_content(t)) for t in selectors.list_templates()]
    setup = SeedingSetup.objects.filter(community=community).select_related("template").first()
    return _render(request, "animation/templates.html", community, "templates", form=form, rows=rows, setup=setup,
                   can_save=can_manage_templates(request.user))  # fmt: skip


# --- Bulk invitations --------------------------------------------------------------------------


def _bulk_choices():
    from directory.models import OrgUnit, Site, Skill

    return {
        "org_units": OrgUnit.objects.order_by("name").values_list("pk", "name"),
        "sites": Site.objects.order_by("name").values_list("pk", "name"),
        "skills": Skill.objects.order_by("name").values_list("pk", "name"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, slug):
    from directory.imports import ImportRefused, read_upload
    from directory.models import OrgUnit, Site, Skill

    community = access_animated_community(request.user, slug)
    form = BulkInvitationForm(request.POST or None, request.FILES or None, **_bulk_choices())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            upload_text = read_upload(d["file"])[0].text if d["file"] else None
            chosen = {
                "org_unit": get_object_or_404(OrgUnit, pk=d["org_unit"]) if d["org_unit"] else None,
                "site": get_object_or_404(Site, pk=d["site"]) if d["site"] else None,
                "skill": get_object_or_404(Skill, pk=d["skill"]) if d["skill"] else None,
            }
            source = ", ".join(str(v) for v in chosen.values() if v) or _("a list of e-mail addresses")
            bulk = services.do_preview_bulk_invitation(
                request.user, community, emails_text=d["emails"], upload_text=upload_text, source=source, **chosen
            )
        except (ImportRefused, ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            return redirect("animation:invite_preview", community.slug, bulk.pk)
    return _render(request, "animation/invite.html", community, "invite", form=form)


@login_required
@require_http_methods(["GET", "POST"])
@limit_rate("invite")  # confirming sends the invitations: the animator's budget of invitations
def invite_preview(request, slug, pk):
    bulk = selectors.access_bulk_invitation_by_id(request.user, pk)
    community = bulk.community
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.do_cancel_bulk_invitation(request.user, bulk)
                messages.success(request, _("Cancelled: nobody was invited."))
                return redirect("animation:invite", community.slug)
            services.do_confirm_bulk_invitation(request.user, bulk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("animation:invite_preview", community.slug, bulk.pk)
    bulk.refresh_from_db()
    template = "animation/_invite_status.html" if request.headers.get("HX-Request") else "animation/invite_preview.html"
    return _render(request, template, community, "invite", bulk=bulk)


# --- Champions ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def champions(request, slug):
    community = access_animated_community(request.user, slug)
    members = (
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .select_related("user").order_by("user__last_name", "user__first_name")[:500]
    )  # fmt: skip
    form = ChampionForm(request.POST or None, members=members)
    setup = SeedingSetup.objects.filter(community=community).first()
    lead_form = ChampionsLeadForm(
        request.POST if request.POST.get("action") == "lead" else None,
        initial={"champions_lead_hours": setup.champions_lead_hours if setup else 24},
    )
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "lead":
                if lead_form.is_valid():
                    services.do_set_champions_lead(
                        request.user, community, lead_form.cleaned_data["champions_lead_hours"]
                    )
                    messages.success(request, _("Saved."))
                    return redirect("animation:champions", community.slug)
            elif action == "remove":
                person = get_object_or_404(User, pk=request.POST.get("user") or 0)
                services.do_set_champion(request.user, community, person, on=False)
                return redirect("animation:champions", community.slug)
            elif form.is_valid():
                person = get_object_or_404(User, pk=form.cleaned_data["user"])
                services.do_set_champion(request.user, community, person)
                messages.success(request, _("%(name)s is a champion now.") % {"name": person.display_name})
                return redirect("animation:champions", community.slug)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _render(request, "animation/champions.html", community, "champions", form=form, lead_form=lead_form,
                   champions=selectors.list_champions(community))  # fmt: skip


# --- Starter content ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def starter(request, slug):
    from directory.imports import ImportRefused

    community = access_animated_community(request.user, slug)
    form = StarterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.do_preview_starter_import(request.user, community, form.cleaned_data["file"])
        except (ImportRefused, ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            return redirect("animation:starter_preview", community.slug, job.pk)
    return _render(request, "animation/starter.html", community, "starter", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def starter_preview(request, slug, pk):
    job = selectors.access_starter_import_by_id(request.user, pk)
    community = job.community
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.do_cancel_starter_import(request.user, job)
                messages.success(request, _("Cancelled: nothing was imported."))
                return redirect("animation:starter", community.slug)
            services.do_confirm_starter_import(request.user, job)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("animation:starter_preview", community.slug, job.pk)
    template = (
        "animation/_starter_status.html" if request.headers.get("HX-Request") else "animation/starter_preview.html"
    )
    return _render(request, template, community, "starter", job=job, progress=services.starter_progress(job))
