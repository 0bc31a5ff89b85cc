"""Per-topic helpers the :class:`~mmm_widgets.workflow.Workflow` facade delegates to.

Each module takes the workflow it serves as an argument and never imports
``mmm_widgets.workflow`` at run time, so steps stay below it and the facade stays thin.
"""
