"""seed_demo gives the demo community manager something in every weeding tool, once."""

import io

import pytest
from django.core.management import call_command

from animation.weeding.models import ArchiveProposal, Flag, KeywordRule, ModerationCase

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_weeding_tools_once():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (ModerationCase.objects.count(), Flag.objects.count(), KeywordRule.objects.count(),
              ArchiveProposal.objects.count())  # fmt: skip
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (ModerationCase.objects.count(), Flag.objects.count(), KeywordRule.objects.count(),
                      ArchiveProposal.objects.count())  # fmt: skip
    cases = ModerationCase.objects.filter(community__slug="lean-continuous-improvement", status="pending")
    assert cases.count() == 2 and Flag.objects.count() == 4
    assert cases.filter(post__hidden_at__isnull=False).count() == 1  # three flags: hidden pending review
    assert ArchiveProposal.objects.filter(status="pending", post__isnull=False).count() == 1
