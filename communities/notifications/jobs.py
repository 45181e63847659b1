"""The daily digest run as a kind of job (rse/lib/jobs.py): its page is the generic one,
/jobs/communities.digest/<id>/, for administrators."""

from django.utils.translation import gettext_lazy as _

from communities.models import DigestRun
from rse.accounts.roles import is_administrator
from rse.lib import jobs

DIGEST_JOBS = jobs.simple_kind(
    "communities.digest",
    DigestRun,
    _("Daily e-mail digests"),
    task="communities.notifications.run_digests",
    can_manage=lambda user, job: is_administrator(user),
    unit=_("people"),
)
