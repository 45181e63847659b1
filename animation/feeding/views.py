"""Feeding pages of the Animate space: prompts, welcome and nudges, quiet members, pulses; and
the members' side of a pulse and of an animator's message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from animation.feeding import selectors, services
from animation.feeding.forms import (
    ComebackForm,
    FeedingSettingsForm,
    PromptForm,
    PromptScheduleForm,
    PulseAnswerForm,
    PulseForm,
)
from animation.feeding.models import AnimatorMessage, Prompt, PulseResponse
from animation.forms_errors import apply_errors
from animation.permissions import can_animate
from animation.selectors import access_animated_community
from communities.selectors import access_community_by_slug


def _render(request, template, community, section, **context):
    return render(request, template, {"community": community, "section": section, **context})


# --- Prompts ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def prompts(request, slug):
    community = access_animated_community(request.user, slug)
    schedule = selectors.prompt_schedule(community)
    initial = (
        {"weekday": schedule.weekday, "hour": schedule.hour, "kind": schedule.kind, "active": schedule.active}
        if schedule else {"weekday": 0, "hour": 9, "active": True}
    )  # fmt: skip
    action = request.POST.get("action")
    schedule_form = PromptScheduleForm(request.POST if action == "schedule" else None, initial=initial)
    prompt_form = PromptForm(request.POST if action == "add" else None)
    if request.method == "POST":
        try:
            if action == "schedule" and schedule_form.is_valid():
                services.do_set_prompt_schedule(request.user, community, **schedule_form.cleaned_data)
                messages.success(request, _("Schedule saved."))
                return redirect("animation:prompts", community.slug)
            if action == "add" and prompt_form.is_valid():
                services.do_add_prompt(request.user, community, **prompt_form.cleaned_data)
                messages.success(request, _("Added to the list."))
                return redirect("animation:prompts", community.slug)
            if action in ("delete", "up"):
                prompt = get_object_or_404(Prompt, pk=request.POST.get("prompt") or 0, community=community)
                (services.do_delete_prompt if action == "delete" else services.do_move_prompt_up)(request.user, prompt)
                return redirect("animation:prompts", community.slug)
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(schedule_form if action == "schedule" else prompt_form, exc)
    rows = list(selectors.list_prompts(community))
    queued = [p for p in rows if p.status == Prompt.Status.QUEUED]
    now = timezone.now()
    return _render(
        request, "animation/prompts.html", community, "prompts", schedule=schedule, schedule_form=schedule_form,
        prompt_form=prompt_form, queued=queued, published=[p for p in rows if p.status != Prompt.Status.QUEUED][::-1],
        next_slot=services.next_slot(schedule, now) if schedule and schedule.active else None,
        running_dry=bool(schedule and schedule.active and len(queued) <= 1),
    )  # fmt: skip


# --- Welcome message and nudges --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feeding_settings(request, slug):
    community = access_animated_community(request.user, slug)
    current = selectors.feeding_settings(community)
    initial = {
        "nudges_enabled": current.nudges_enabled, "nudge_after_hours": current.nudge_after_hours,
        "welcome_md": current.welcome_md,
    }  # fmt: skip
    form = FeedingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_feeding_settings(request.user, community, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("animation:feeding_settings", community.slug)
    return _render(request, "animation/feeding_settings.html", community, "welcome", form=form)


# --- Quiet members ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quiet(request, slug):
    community = access_animated_community(request.user, slug)
    members = list(selectors.quiet_members(community)[:200])
    form = ComebackForm(request.POST or None, members=members, initial={"user_ids": [str(m.user_id) for m in members]})
    if request.method == "POST" and form.is_valid():
        try:
            message = services.do_invite_quiet_members_back(
                request.user, community, body_md=form.cleaned_data["body_md"], user_ids=form.cleaned_data["user_ids"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Sent to %(n)d members.") % {"n": message.recipients.count()})
            return redirect("animation:quiet", community.slug)
    sent = AnimatorMessage.objects.filter(community=community).select_related("author")[:10]
    return _render(request, "animation/quiet.html", community, "quiet", form=form, members=members, sent=sent,
                   days=selectors.QUIET_AFTER_DAYS)  # fmt: skip


@login_required
def message(request, slug, pk):
    """An animator's message, for its recipients and the community's animators."""
    community = access_community_by_slug(request.user, slug)
    msg = get_object_or_404(AnimatorMessage.objects.select_related("author"), pk=pk, community=community)
    if not can_animate(request.user, community) and not msg.recipients.filter(pk=request.user.pk).exists():
        raise Http404
    return render(request, "animation/message.html", {"community": community, "message": msg})


# --- Pulses ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pulses(request, slug):
    community = access_animated_community(request.user, slug)
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pulse = services.do_create_pulse(
                request.user, community, questions=form.questions(), closes_at=form.cleaned_data["closes_at"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pulse sent to the members."))
            return redirect("animation:pulse_results", community.slug, pulse.pk)
    return _render(request, "animation/pulses.html", community, "pulses", form=form,
                   pulses=selectors.list_pulses(community)[:50])  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def pulse_results(request, slug, pk):
    pulse = selectors.access_pulse_by_id(request.user, pk, for_results=True)
    if request.method == "POST":
        services.do_close_pulse(request.user, pulse)
        messages.success(request, _("Pulse closed."))
        return redirect("animation:pulse_results", pulse.community.slug, pulse.pk)
    results = selectors.pulse_results(pulse)
    bars = []
    if results["distribution"]:
        top = max(results["distribution"]) or 1
        bars = [{"score": i, "n": n, "percent": round(100 * n / top)} for i, n in enumerate(results["distribution"])]
    return _render(request, "animation/pulse_results.html", pulse.community, "pulses", pulse=pulse, results=results,
                   bars=bars)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def pulse_answer(request, slug, pk):
    pulse = selectors.access_pulse_by_id(request.user, pk)
    community = pulse.community
    if community.slug != slug:
        raise Http404
    answered = PulseResponse.objects.filter(pulse=pulse, user=request.user).exists()
    form = PulseAnswerForm(request.POST or None, questions=list(pulse.questions.all()))
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.do_answer_pulse(request.user, pulse, score=form.cleaned_data["score"], answers=form.answers())
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your answer!"))
            return redirect("community_detail", community.slug)
    return render(request, "animation/pulse_answer.html", {"community": community, "pulse": pulse, "form": form,
                                                           "answered": answered})  # fmt: skip
