from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from repository import imports, permissions, selectors, services
from repository.forms import DocumentForm, ImportForm, ItemForm, VersionForm
from repository.models import ImportJob, ItemType
from rse.lib.cursor import InvalidCursor, paginate
from rse.lib.files import file_response
from rse.lib.jobs import status_of as job_status_of

HISTORY_ON_PAGE = 10


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


@login_required
@require_GET
def browse(request):
    """The repository: items by type, searched, or browsed by name (keyset pagination)."""
    types = list(ItemType.objects.all())
    current_type = next((t for t in types if t.slug == request.GET.get("type")), None)
    query = (request.GET.get("q") or "").strip()
    tag = (request.GET.get("tag") or "").strip()
    page, results = None, None
    if query:
        results = selectors.search_items(request.user, query, item_type=current_type, limit=50)
    else:
        try:
            page = paginate(
                selectors.list_items(request.user, item_type=current_type, tag=tag or None),
                ordering=("name", "id"),
                cursor=request.GET.get("cursor"),
                size=25,
            )
        except InvalidCursor:
            raise Http404 from None
    context = {
        "types": types,
        "current_type": current_type,
        "query": query,
        "tag": tag,
        "page": page,
        "results": results,
    }
    return render(request, "repository/browse.html", context)


@login_required
@require_GET
def choose_type(request):
    return render(request, "repository/choose_type.html", {"types": ItemType.objects.all()})


@login_required
def item_create(request, type_slug):
    item_type = selectors.get_item_type(type_slug)
    if not permissions.can_create_item(request.user):
        raise PermissionDenied
    similar = []
    form = ItemForm(request.POST or None, user=request.user, item_type=item_type)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_item_data
        if request.POST.get("confirm_duplicate") != "1":
            similar = selectors.find_similar_items(request.user, item_type, data["name"])
        if not similar:
            item = services.do_create_item(request.user, item_type, data)
            messages.success(request, _("“%(name)s” was added to the repository.") % {"name": item.name})
            return redirect(item)
    return render(
        request, "repository/item_form.html", {"form": form, "item_type": item_type, "similar": similar, "item": None}
    )


@login_required
@require_GET
def similar(request):
    """htmx fragment under the name field: "this may already exist"."""
    item_type = ItemType.objects.filter(slug=request.GET.get("type")).first()
    items = []
    if item_type is not None:
        exclude = request.GET.get("exclude", "")
        items = selectors.find_similar_items(
            request.user,
            item_type,
            request.GET.get("name", "")[:200],
            exclude_pk=int(exclude) if exclude.isdigit() else None,
        )
    return render(request, "repository/partials/similar.html", {"similar": items, "live": True})


@login_required
@require_GET
def item_by_id(request, pk):
    """A stable link that names nothing: conversations link restricted items this way, so their
    name and slug never reach someone outside the groups (404 for them, like any hidden item)."""
    item = selectors.access_item_by_id(request.user, pk)
    return redirect("repository:item", slug=item.slug)


@login_required
@require_GET
def item_detail(request, slug):
    item = selectors.get_item_for_page(request.user, slug)
    definitions = {f"fields.{d.key}": d.label for d in item.item_type.field_definitions.all()}
    history = list(selectors.list_item_history(item, limit=HISTORY_ON_PAGE + 1))
    context = {
        "item": item,
        "field_rows": selectors.item_field_rows(request.user, item),
        "followers": item.followers_count,
        "following": item.is_following,
        "history": _history_rows(request.user, history[:HISTORY_ON_PAGE], definitions),
        "more_history": len(history) > HISTORY_ON_PAGE,
        "can_edit": permissions.can_edit_item(request.user, item),
        "document_form": DocumentForm(),
    }
    return render(request, "repository/item_detail.html", context)


FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "description": gettext_lazy("Description"),
    "status": gettext_lazy("Status"),
    "external_id": gettext_lazy("External id"),
    "tags": gettext_lazy("Tags"),
    "owners": gettext_lazy("Owners"),
    "restricted_to": gettext_lazy("Restricted to"),
    "document": gettext_lazy("Document"),
}


def _change_label(key):
    """Label of a history key that is neither a field nor a custom field: a new version is
    recorded under 'document “<name>”' (data, in English): show it in the reader's language."""
    if key.startswith("document “") and key.endswith("”"):
        return _("Document “%(name)s”") % {"name": key[len("document “") : -1]}
    return key.removeprefix("fields.")


def _history_rows(user, changes, definitions):
    """Rows for the history table. Links to other items recorded in the history show their
    name only when the viewer may see that item (one query for the whole page)."""
    linked = {
        value["item"]
        for change in changes
        for pair in (change.changes or {}).values()
        for value in pair
        if isinstance(value, dict) and "item" in value
    }
    visible = set(selectors.visible_items(user).filter(pk__in=linked).values_list("pk", flat=True)) if linked else set()
    person_ids = {
        value["person"]
        for change in changes
        for pair in (change.changes or {}).values()
        for side in pair
        for value in (side if isinstance(side, list) else [side])
        if isinstance(value, dict) and "person" in value
    }
    names = {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=person_ids)} if person_ids else {}
    rows = []
    for change in changes:
        diffs = []
        for key, (before, after) in (change.changes or {}).items():
            label = definitions.get(key) or FIELD_LABELS.get(key) or _change_label(key)
            diffs.append(
                {"label": label, "before": _show(before, visible, names), "after": _show(after, visible, names)}
            )
        rows.append({"change": change, "diffs": diffs})
    return rows


def _show(value, visible_ids, names):
    if value in (None, "", []):
        return ""
    if isinstance(value, dict) and "item" in value:
        return value.get("name") if value["item"] in visible_ids else _("(an item you cannot see)")
    if isinstance(value, dict) and "person" in value:
        return names.get(value["person"], _("(a former colleague)"))
    if isinstance(value, list):
        return ", ".join(_show(v, visible_ids, names) for v in value)
    return str(value)  # also what older history rows hold: e-mail addresses as they were


@login_required
def item_edit(request, slug):
    item = selectors.get_item_for_page(request.user, slug)
    if not permissions.can_edit_item(request.user, item):
        raise PermissionDenied
    form = ItemForm(request.POST or None, user=request.user, item_type=item.item_type, instance=item)
    if request.method == "POST" and form.is_valid():
        changes = services.do_update_item(request.user, item, form.cleaned_item_data)
        if changes:
            messages.success(request, _("Saved."))
        return redirect(item)
    return render(request, "repository/item_form.html", {"form": form, "item_type": item.item_type, "item": item})


@login_required
def item_history(request, slug):
    item = selectors.access_item_by_slug(request.user, slug)
    definitions = {f"fields.{d.key}": d.label for d in item.item_type.field_definitions.all()}
    try:
        page = paginate(selectors.list_item_history(item), cursor=request.GET.get("cursor"), size=30)
    except InvalidCursor:
        raise Http404 from None
    return render(
        request,
        "repository/item_history.html",
        {"item": item, "history": _history_rows(request.user, page.items, definitions), "page": page},
    )


@login_required
@require_POST
def item_follow(request, slug):
    item = selectors.access_item_by_slug(request.user, slug)
    if request.POST.get("follow") == "0":
        services.do_unfollow_item(request.user, item)
    else:
        services.do_follow_item(request.user, item)
    if _is_htmx(request):
        followers, following = selectors.item_follow_state(request.user, item)
        return render(
            request, "repository/partials/follow.html", {"item": item, "followers": followers, "following": following}
        )
    return redirect(item)


@login_required
@require_POST
def document_add(request, slug):
    item = selectors.access_item_by_slug(request.user, slug)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.do_add_document(
                request.user,
                item,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                uploaded=form.cleaned_data["file"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": document.name})
            return redirect(f"{item.get_absolute_url()}#documents")
    return render(request, "repository/document_add.html", {"item": item, "form": form}, status=400)


@login_required
def document_detail(request, slug, document_id):
    item = selectors.access_item_by_slug(request.user, slug)
    document = selectors.access_document(request.user, item, document_id)
    form = VersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.do_add_document_version(
                    request.user, document, uploaded=form.cleaned_data["file"], comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                for error in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", error)
            else:
                messages.success(request, _("Version %(n)d uploaded.") % {"n": version.number})
                return redirect("repository:document", slug=item.slug, document_id=document.pk)
        status = 400
    versions = selectors.list_document_versions(document)
    context = {"item": item, "document": document, "versions": versions, "form": form}
    return render(request, "repository/document_detail.html", context, status=status)


@login_required
@require_GET
def document_download(request, slug, document_id, number):
    """Files are served through here, never from a public media URL: the item door applies."""
    version = selectors.access_document_version(request.user, slug, document_id, number)
    # Always a download (an SVG or HTML document never renders in our origin), sandboxed, nosniff.
    return file_response(version.file, filename=version.original_name, content_type=version.content_type or None)


@login_required
@require_GET
def autocomplete(request):
    """htmx fragment: items matching ?q= (visible ones only), for the [[item]] picker in posts."""
    item_type = ItemType.objects.filter(slug=request.GET.get("type")).first() if request.GET.get("type") else None
    items = selectors.autocomplete_items(request.user, request.GET.get("q", "")[:100], item_type=item_type)
    return render(request, "repository/partials/autocomplete.html", {"items": items, "query": request.GET.get("q", "")})


# --- CSV import -----------------------------------------------------------------------------


@login_required
def import_start(request):
    if not permissions.can_sync_items(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.do_start_import(request.user, form.cleaned_data["item_type"], form.cleaned_data["file"])
        except ValidationError as exc:
            for error in exc.message_dict.get("file", exc.messages):
                form.add_error("file", error)
        else:
            return redirect("repository:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).select_related("item_type")[:10]
    return render(request, "repository/import_start.html", {"form": form, "jobs": jobs})


def _job_context(job):
    preview = job.preview or []
    return {
        "job": job,
        "progress": imports.current_progress(job),
        "rejected": [r for r in preview if r["action"] == "reject"],
        "planned": [r for r in preview if r["action"] != "reject"][:100],
        "counts": job.counts or {},
        "working": job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING),
        "job_status": job_status_of(job),
    }


@login_required
def import_detail(request, job_id):
    job = selectors.access_import_job(request.user, job_id)
    return render(request, "repository/import_detail.html", _job_context(job))


@login_required
def import_progress(request, job_id):
    """Polled by htmx while the job works; once it is done, tells htmx to reload the page."""
    job = selectors.access_import_job(request.user, job_id)
    context = _job_context(job)
    response = render(request, "repository/partials/import_progress.html", context)
    if not context["working"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, job_id):
    job = selectors.access_import_job(request.user, job_id)
    if not permissions.can_sync_items(request.user):
        raise PermissionDenied
    imports.do_confirm_import(request.user, job)
    return redirect(reverse("repository:import_detail", args=[job.pk]))
