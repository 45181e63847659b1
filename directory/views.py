"""HTML pages and htmx fragments of the directory. Thin: parse, call a selector or service, render."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import exports, selectors, services
from directory.forms import ContactForm, ImportForm, ProfileForm, SkillForm
from directory.imports import (
    ImportRefused,
    check_create_import,
    do_cancel_import,
    do_confirm_import,
    do_create_import,
    job_progress,
)
from directory.models import ImportJob, OrgUnit, Profile, Site, Skill, UserSkill
from directory.permissions import can_anonymise, can_provision_hr
from rse.accounts.models import User
from rse.lib.cursor import InvalidCursor, paginate
from rse.lib.files import file_response
from rse.lib.http import safe_next
from rse.lib.jobs import status_of as job_status_of

PAGE_SIZE = 20


def _paginate(request, qs, ordering):
    try:
        return paginate(qs, ordering=ordering, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except InvalidCursor as exc:
        raise BadRequest(str(exc)) from exc


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _filters(request):
    return {key: request.GET.get(key, "").strip()[:100] for key in ("q", "skill", "unit", "site", "lang")}


@login_required
def directory_index(request):
    filters = _filters(request)
    qs = selectors.search_people(
        q=filters["q"], skill=filters["skill"], org_unit=filters["unit"], site=filters["site"], language=filters["lang"]
    )
    page = _paginate(request, qs, selectors.PEOPLE_ORDERING)
    selectors.present_profiles(request.user, page.items)
    selectors.with_follow_flags(request.user, page.items)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    context = {"page": page, "filters": filters, "query": query}
    if _is_htmx(request) and request.GET.get("cursor"):
        return render(request, "directory/partials/people_rows.html", context)
    context.update(
        skills=Skill.objects.all(),
        units=OrgUnit.objects.all(),
        sites=Site.objects.all(),
        first_steps=selectors.first_steps(request.user),
    )
    return render(request, "directory/index.html", context)


@login_required
def experts(request):
    term = request.GET.get("q", "").strip()[:80]
    found = selectors.find_experts(request.user, term) if term else []
    return render(request, "directory/experts.html", {"term": term, "experts": found})


@login_required
def profile_detail(request, user_id):
    profile = selectors.get_profile_page(request.user, user_id)
    context = {
        "profile": profile,
        "person": profile.user,
        "is_me": profile.user_id == request.user.pk,
        "can_anonymise": can_anonymise(request.user) and not profile.user.is_active,
        "extra_facts": selectors.extra_profile_facts(request.user, profile.user),
    }
    if context["is_me"]:
        context["first_steps"] = selectors.first_steps(request.user)
    return render(request, "directory/profile.html", context)


@login_required
def my_profile(request):
    services.ensure_profile(request.user)
    return redirect("directory:profile", user_id=request.user.pk)


@login_required
def profile_edit(request):
    profile = services.ensure_profile(request.user)
    user = request.user
    links = "\n".join(f"{link.label} | {link.url}" for link in user.profile_links.all())
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": profile.job_title,
        "site": profile.site_id,
        "phone_work": profile.phone_work,
        "phone_mobile": profile.phone_mobile,
        "phone_mobile_visibility": profile.phone_mobile_visibility,
        "languages": profile.languages,
        "bio_md": profile.bio_md,
        "links": links,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo, remove, links = data.pop("photo"), data.pop("remove_photo"), data.pop("links")
        try:
            services.do_update_profile(user, data=data, photo=photo, remove_photo=remove)
            services.do_set_links(user, links)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("directory:profile", user_id=user.pk)
    skills = UserSkill.objects.filter(user=user).select_related("skill").annotate(n=Count("endorsements"))
    return render(
        request,
        "directory/profile_edit.html",
        {"form": form, "profile": profile, "skills": skills, "skill_form": SkillForm()},
    )


@login_required
@require_POST
def skill_add(request):
    form = SkillForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_skill(request.user, form.cleaned_data["skill"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Type a skill to add."))
    return redirect(safe_next(request, reverse("directory:profile_edit")))


@login_required
@require_POST
def skill_remove(request, user_skill_id):
    services.do_remove_skill(request.user, user_skill_id)
    return redirect("directory:profile_edit")


@login_required
@require_POST
def endorse(request, user_skill_id):
    user_skill = get_object_or_404(UserSkill.objects.select_related("skill", "user"), pk=user_skill_id)
    if not user_skill.user.is_active:
        raise Http404
    services.do_toggle_endorsement(request.user, user_skill)
    if _is_htmx(request):
        profile = selectors.get_profile_page(request.user, user_skill.user_id)
        user_skill = next(s for s in profile.user.skills if s.pk == user_skill.pk)
        return render(request, "directory/partials/skill_item.html", {"us": user_skill, "is_me": False})
    return redirect("directory:profile", user_id=user_skill.user_id)


def _target(user_id):
    return get_object_or_404(User, pk=user_id, is_active=True)


@login_required
@require_POST
def follow(request, user_id):
    target = _target(user_id)
    if request.POST.get("action") == "unfollow":
        services.do_unfollow(request.user, target)
        followed = False
    else:
        services.do_follow(request.user, target)
        followed = True
    if _is_htmx(request):
        return render(request, "directory/partials/follow_button.html", {"target_id": target.pk, "followed": followed})
    return redirect(safe_next(request, reverse("directory:profile", args=[target.pk])))


@login_required
@require_POST
def star(request, user_id):
    target = _target(user_id)
    starred = services.do_toggle_star(request.user, target)
    if _is_htmx(request):
        return render(request, "directory/partials/star_button.html", {"target_id": target.pk, "starred": starred})
    return redirect("directory:profile", user_id=target.pk)


@login_required
def network(request):
    tab = request.GET.get("tab", "following")
    qs = selectors.followers(request.user) if tab == "followers" else selectors.following(request.user)
    page = _paginate(request, qs, selectors.PEOPLE_ORDERING)
    selectors.present_profiles(request.user, page.items)
    selectors.with_follow_flags(request.user, page.items)
    return render(request, "directory/network.html", {"page": page, "tab": tab, "query": f"tab={tab}"})


@login_required
def suggestions(request):
    return render(request, "directory/suggestions.html", {"suggestions": selectors.suggest_follows(request.user, 30)})


@login_required
def welcome(request):
    profile = services.ensure_profile(request.user)
    steps = selectors.first_steps(request.user)
    return render(
        request,
        "directory/welcome.html",
        {
            "steps": steps,
            "profile": profile,
            "suggestions": selectors.suggest_follows(request.user, 8),
            "skill_form": SkillForm(),
        },
    )


@login_required
@require_POST
def welcome_skip(request, step):
    if step not in selectors.FIRST_STEPS:
        raise Http404
    services.do_skip_first_step(request.user, step)
    return redirect("directory:welcome")


@login_required
@require_POST
def welcome_dismiss(request):
    services.do_dismiss_first_steps(request.user)
    if _is_htmx(request):
        return HttpResponse("")
    return redirect(safe_next(request, reverse("directory:index")))


# --- Organisation ---------------------------------------------------------------------------


@login_required
def org_units(request):
    return render(
        request, "directory/org_units.html", {"roots": selectors.org_tree(), "sites": selectors.sites_with_counts()}
    )


@login_required
def org_unit_detail(request, slug):
    try:
        unit = selectors.get_org_unit_page(slug)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc
    qs = selectors.people().filter(org_unit=unit)
    page = _paginate(request, qs, selectors.PEOPLE_ORDERING)
    selectors.present_profiles(request.user, page.items)
    selectors.with_follow_flags(request.user, page.items)
    context = {"unit": unit, "page": page, "query": ""}
    if _is_htmx(request) and request.GET.get("cursor"):
        return render(request, "directory/partials/people_rows.html", context)
    return render(request, "directory/org_unit.html", context)


@login_required
def org_chart(request, user_id):
    try:
        chart = selectors.get_org_chart(request.user, user_id)
    except Profile.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "directory/org_chart.html", {"chart": chart})


# --- Contacts -------------------------------------------------------------------------------


@login_required
def contacts(request):
    q, tag = request.GET.get("q", "").strip()[:100], request.GET.get("tag", "").strip()[:40]
    page = _paginate(request, selectors.contacts_of(request.user, q=q, tag=tag), ("sort_name", "id"))
    context = {
        "page": page,
        "q": q,
        "tag": tag,
        "query": "&".join(f"{k}={v}" for k, v in (("q", q), ("tag", tag)) if v),
    }
    if _is_htmx(request) and request.GET.get("cursor"):
        return render(request, "directory/partials/contact_rows.html", context)
    context["imports"] = ImportJob.objects.filter(owner=request.user).exclude(kind=ImportJob.Kind.HR)[:5]
    return render(request, "directory/contacts.html", context)


def _save_photo(request, form, contact):
    services.do_set_contact_photo(
        request.user, contact, upload=form.cleaned_data.get("photo"), remove=form.cleaned_data.get("remove_photo")
    )


@login_required
def contact_new(request):
    form = ContactForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a photo we cannot read takes the new contact back with it
                contact = services.do_create_contact(request.user, form.contact_data())
                _save_photo(request, form, contact)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect("directory:contact", contact_id=contact.pk)
    return render(request, "directory/contact_form.html", {"form": form})


def _form_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def contact_detail(request, contact_id):
    contact = selectors.access_contact_by_id(request.user, contact_id)
    return render(request, "directory/contact.html", {"contact": contact})


@login_required
def contact_edit(request, contact_id):
    contact = selectors.access_contact_by_id(request.user, contact_id)
    form = ContactForm(
        request.POST or None, request.FILES or None, user=request.user, contact=contact,
        initial=ContactForm.initial_for(contact),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.do_update_contact(request.user, contact, form.contact_data())
                _save_photo(request, form, contact)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("directory:contact", contact_id=contact.pk)
    return render(request, "directory/contact_form.html", {"form": form, "contact": contact})


@login_required
def contact_photo(request, contact_id):
    """A contact's photo, for the owner of the contact book only."""
    contact = selectors.access_contact_by_id(request.user, contact_id)
    if not contact.photo:
        raise Http404
    return file_response(contact.photo, content_type="image/jpeg", inline=True, cache_control="private, max-age=86400")


@login_required
@require_POST
def contact_delete(request, contact_id):
    contact = selectors.access_contact_by_id(request.user, contact_id)
    services.do_delete_contact(request.user, contact)
    messages.success(request, _("Contact deleted."))
    return redirect("directory:contacts")


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def contact_vcard(request, contact_id):
    contact = selectors.access_contact_by_id(request.user, contact_id)
    version = "4.0" if request.GET.get("version") == "4.0" else "3.0"
    return _download(
        exports.vcards([contact], version), f"{slugify(contact.name) or 'contact'}.vcf", "text/vcard; charset=utf-8"
    )


@login_required
def contacts_export(request):
    fmt = request.GET.get("format", "vcf")
    contacts = selectors.contacts_of(request.user).order_by("sort_name", "id")
    if fmt == "csv":
        return _download("\ufeff" + exports.contacts_csv(contacts), "contacts.csv", "text/csv; charset=utf-8")
    version = "4.0" if request.GET.get("version") == "4.0" else "3.0"
    return _download(exports.vcards(contacts, version), "contacts.vcf", "text/vcard; charset=utf-8")


# --- Imports and HR provisioning ------------------------------------------------------------


@login_required
def import_new(request, kind):
    if kind not in ImportJob.Kind.values:
        raise Http404
    check_create_import(request.user, kind)
    form = ImportForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            job = do_create_import(
                request.user, kind, form.cleaned_data["file"], full_sync=form.cleaned_data.get("full_sync", False)
            )
        except ImportRefused as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("directory:import", job_id=job.pk)
    jobs = ImportJob.objects.filter(owner=request.user, kind=kind)[:10]
    return render(
        request,
        "directory/import_new.html",
        {"form": form, "kind": kind, "kind_label": ImportJob.Kind(kind).label, "jobs": jobs},
    )


@login_required
def import_detail(request, job_id):
    job = selectors.access_import_by_id(request.user, job_id)
    context = {"job": job, "processed": job_progress(job), "job_status": job_status_of(job)}
    return render(request, "directory/import_detail.html", context)


@login_required
def import_progress(request, job_id):
    job = selectors.access_import_by_id(request.user, job_id)
    context = {"job": job, "processed": job_progress(job), "job_status": job_status_of(job)}
    return render(request, "directory/partials/import_progress.html", context)


@login_required
@require_POST
def import_confirm(request, job_id):
    job = selectors.access_import_by_id(request.user, job_id)
    try:
        do_confirm_import(request.user, job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("directory:import", job_id=job.pk)


@login_required
@require_POST
def import_cancel(request, job_id):
    job = selectors.access_import_by_id(request.user, job_id)
    do_cancel_import(request.user, job)
    messages.success(request, _("Import cancelled: nothing was changed."))
    return redirect("directory:import_new", kind=job.kind)


@login_required
def hr_sync(request):
    if not can_provision_hr(request.user):
        raise PermissionDenied
    return redirect("directory:import_new", kind=ImportJob.Kind.HR)


# --- Privacy --------------------------------------------------------------------------------


@login_required
def my_data(request):
    data = services.export_personal_data(request.user)
    return _download(
        json.dumps(data, ensure_ascii=False, indent=2), "my-rse-data.json", "application/json; charset=utf-8"
    )


@login_required
@require_POST
def anonymise(request, user_id):
    person = get_object_or_404(User, pk=user_id)
    try:
        services.do_anonymise_user(request.user, person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("directory:profile", user_id=person.pk)
    messages.success(request, _("The person's data has been erased."))
    return redirect("directory:index")
