# Demo seeders of the animators' tools (rse.lib.demo discovers `<app>.demo`).
from animation.seeding import demo as seeding_demo  # noqa: F401
from animation.weeding import demo as weeding_demo  # noqa: F401
