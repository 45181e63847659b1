from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from communities.selectors import list_item_conversations
from rse.lib.cursor import paginate


@login_required
def home(request):
    return render(request, "communities/home.html")


@login_required
def item_conversations(request, item_id):
    """htmx fragment for the item page (repository/): every conversation about the item that
    the viewer may read, across communities. Lives here because repository/ cannot import us."""
    page = paginate(list_item_conversations(request.user, item_id), cursor=request.GET.get("cursor"), size=20)
    return render(request, "communities/item_conversations.html", {"page": page, "item_id": item_id})
