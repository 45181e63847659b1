"""The only writes of communities/: check_* authorises and validates, do_* changes data in one
transaction, records the trail and publishes events on commit (STYLE: actions)."""

from communities.services.comments import *  # noqa: F403
from communities.services.communities import *  # noqa: F403
from communities.services.posts import *  # noqa: F403
