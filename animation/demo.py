# Demo seeders of the animators' tools (rse.lib.demo discovers `<app>.demo`).
from animation.seeding import demo as seeding_demo  # noqa: F401
