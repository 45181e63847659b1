"""Weeding pages: a reader's flag form; in the Animate space the moderation queue, the audit log
and the keyword rules; the administrators' global queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from animation.forms_errors import apply_errors
from animation.selectors import access_animated_community
from animation.weeding import archiving, merging, rules, selectors, services
from animation.weeding.forms import DecisionForm, FlagForm, ObjectionForm, RuleForm, WeedingSettingsForm
from animation.weeding.models import ArchiveProposal, KeywordRule, ModerationCase
from communities.models import Community, Post
from communities.selectors import access_comment_by_id, access_community_by_slug, access_post_by_id
from rse.accounts.roles import is_administrator


def _render(request, template, community, section, **context):
    return render(request, template, {"community": community, "section": section, **context})


# --- A reader flags a post or a comment ------------------------------------------------------


def _flag(request, content, post):
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_flag(request.user, content, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the animators will look at it."))
            return (
                redirect("community_detail", post.community.slug)
                if content.hidden_at
                else redirect("post_detail", post.pk)
            )
    return render(request, "animation/flag.html", {"form": form, "content": content, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def flag_post(request, pk):
    post = access_post_by_id(request.user, pk)
    return _flag(request, post, post)


@login_required
@require_http_methods(["GET", "POST"])
def flag_comment(request, pk):
    comment = access_comment_by_id(request.user, pk)
    if comment.deleted_at or comment.hidden_at:
        raise Http404
    return _flag(request, comment, comment.post)


# --- The moderation queue --------------------------------------------------------------------


def _decide(request, cases_qs):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return form
    case = cases_qs.filter(pk=form.cleaned_data["case"]).first()
    if case is None:
        raise Http404
    data = {k: v for k, v in form.cleaned_data.items() if k != "case" and v not in (None, "")}
    data.setdefault("reason", "")
    if data.get("action") != ModerationCase.Action.EDIT:
        data.pop("body_md", None)
    try:
        services.do_decide(request.user, case, **data)
    except (ValidationError, PermissionDenied) as exc:
        apply_errors(form, exc)
        form.failed_case = case.pk
        return form
    messages.success(request, _("Decision recorded: %(action)s.") % {"action": case.Action(data["action"]).label})
    return None


@login_required
@require_http_methods(["GET", "POST"])
def moderation(request, slug):
    community = access_animated_community(request.user, slug)
    status = request.GET.get("status", ModerationCase.Status.PENDING)
    status = status if status in ModerationCase.Status.values else ModerationCase.Status.PENDING
    failed = None
    if request.method == "POST":
        failed = _decide(request, ModerationCase.objects.filter(community=community))
        if failed is None:
            return redirect("animation:moderation", community.slug)
    cases = list(selectors.list_queue(community, status=status)[:100])
    return _render(
        request, "animation/moderation.html", community, "moderation", cases=cases, status=status, failed=failed,
        actions=ModerationCase.Action.choices,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def moderation_global(request):
    cases_qs = selectors.list_global_queue(request.user)
    failed = None
    if request.method == "POST":
        failed = _decide(request, ModerationCase.objects.filter(status=ModerationCase.Status.PENDING))
        if failed is None:
            return redirect("animation:moderation_global")
    return render(
        request, "animation/moderation_global.html",
        {"cases": list(cases_qs[:200]), "failed": failed, "actions": ModerationCase.Action.choices},
    )  # fmt: skip


@login_required
def audit(request, slug):
    community = access_animated_community(request.user, slug)
    return _render(request, "animation/audit.html", community, "audit", entries=selectors.list_audit(community)[:300])


# --- Keyword rules and settings --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request, slug):
    """A rule is saved only after its dry run was shown: the first submit runs it, the second
    (the same pattern, confirmed) saves it."""
    community = access_animated_community(request.user, slug)
    action = request.POST.get("do")  # the rule's own field is called "action"
    form = RuleForm(request.POST if action in ("dry_run", "save") else None)
    current = services.weeding_settings(community)
    settings_form = WeedingSettingsForm(
        request.POST if action == "settings" else None,
        initial={"flag_threshold": current.flag_threshold, "stale_after_days": current.stale_after_days},
    )
    result = None
    if request.method == "POST":
        try:
            if action == "settings" and settings_form.is_valid():
                services.do_update_weeding_settings(request.user, community, **settings_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("animation:rules", community.slug)
            if action == "delete":
                rule = KeywordRule.objects.filter(pk=request.POST.get("rule") or 0).first()
                if rule is None or rule.community_id not in (None, community.pk):
                    raise Http404
                services.do_delete_rule(request.user, community, rule)
                messages.success(request, _("Rule deleted."))
                return redirect("animation:rules", community.slug)
            if action in ("dry_run", "save") and form.is_valid():
                data = form.cleaned_data
                company_wide = data["company_wide"] and is_administrator(request.user)
                services.check_manage_rule(request.user, community, company_wide=company_wide)
                if action == "save" and request.POST.get("checked") == data["pattern"]:
                    services.do_create_rule(request.user, community, **{**data, "company_wide": company_wide})
                    messages.success(request, _("Rule saved: it applies to new posts and comments."))
                    return redirect("animation:rules", community.slug)
                result = rules.dry_run(None if company_wide else community, data["pattern"], data["is_regex"])
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(settings_form if action == "settings" else form, exc)
    return _render(
        request, "animation/rules.html", community, "rules", form=form, settings_form=settings_form, result=result,
        rules=list(rules.rules_for(community)), is_admin=is_administrator(request.user),
        checked=form.cleaned_data.get("pattern") if result is not None else "",
    )  # fmt: skip


# --- Stale content ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stale(request, slug):
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action in ("archive", "keep"):
                proposal = get_object_or_404(ArchiveProposal, pk=request.POST.get("proposal") or 0, community=community)
                if action == "archive":
                    archiving.do_archive_now(request.user, proposal)
                    messages.success(request, _("Archived."))
                else:
                    archiving.do_object(request.user, proposal, objection=request.POST.get("objection", ""))
                    messages.success(request, _("Kept: it will not be archived."))
            elif action == "archive_community":
                archiving.do_archive_community(request.user, community)
                messages.success(request, _("The community is archived: read-only, out of the listings."))
            elif action == "restore_community":
                archiving.do_restore(request.user, community)
                messages.success(request, _("The community is restored."))
            elif action == "restore_post":
                post = get_object_or_404(Post, pk=request.POST.get("post") or 0, community=community)
                archiving.do_restore(request.user, community, post=post)
                messages.success(request, _("The conversation is open again."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("animation:stale", community.slug)
    proposals = list(selectors.list_proposals(community))
    archived_posts = list(
        Post.objects.alive().filter(community=community, locked_at__isnull=False).order_by("-locked_at")[:50]
    )
    return _render(
        request, "animation/stale.html", community, "stale", proposals=proposals, archived_posts=archived_posts,
        days=services.weeding_settings(community).stale_after_days,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def archive_proposal(request, slug, pk):
    """Where the owners warned of a proposal object to it (they need not animate the community)."""
    community = access_community_by_slug(request.user, slug)
    proposal = get_object_or_404(
        ArchiveProposal.objects.select_related("post", "community"), pk=pk, community=community
    )
    if not archiving.can_object(request.user, proposal):
        raise Http404
    if request.method == "POST":
        form = ObjectionForm(request.POST)
        try:
            if not form.is_valid():  # a NUL character, a text too long: the form's own reason
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            archiving.do_object(request.user, proposal, objection=form.cleaned_data["objection"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Kept: it will not be archived."))
        return redirect("animation:archive_proposal", community.slug, proposal.pk)
    return render(request, "animation/archive_proposal.html", {"community": community, "proposal": proposal})


# --- Duplicates (administrators) -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def duplicates(request):
    pairs = merging.find_duplicates(request.user)  # administrators only (403 otherwise)
    if request.method == "POST":
        source = get_object_or_404(Community.objects.alive(), pk=request.POST.get("source") or 0)
        target = get_object_or_404(Community.objects.alive(), pk=request.POST.get("target") or 0)
        try:
            merging.do_merge_communities(request.user, source, target)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request, _("%(source)s is merged into %(target)s.") % {"source": source.name, "target": target.name}
            )
        return redirect("animation:duplicates")
    return render(request, "animation/duplicates.html", {"pairs": pairs})
