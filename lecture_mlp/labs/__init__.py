"""The notebooks' interactive labs. Each lab's logic lives here; a notebook shows it
with one or two lines, e.g. ``lab = SingleNeuronLab(); lab``."""
