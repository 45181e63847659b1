# Objectives, influence per topic, pulses/NPS and HR exports land here (see DESIGN.md).
