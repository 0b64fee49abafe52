"""overleg: the command-line assistant for the casusoverleg of a Zorg- en Veiligheidshuis."""

__version__ = "0.1.0"
