# The animators' models live in their tools' sub-packages (seeding/, feeding/, weeding/, health/);
# importing them here lets Django find them.
from animation.feeding.models import *  # noqa: F403
from animation.seeding.models import *  # noqa: F403
from animation.weeding.models import *  # noqa: F403
