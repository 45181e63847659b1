# Templates, scheduled posts, prompts, nudges, pulses, flags, moderation, keyword rules,
# archiving and merging land here (see DESIGN.md and the animation issue).
