"""The Animate space of a community: one page per tool, under /c/<slug>/animate/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from animation.selectors import access_animated_community, overview


@login_required
def animate_index(request, slug):
    community = access_animated_community(request.user, slug)
    return render(request, "animation/index.html", {"community": community, "section": "index", **overview(community)})
