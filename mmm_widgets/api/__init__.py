"""What the :class:`~mmm_widgets.workflow.Workflow` facade delegates to.

The ``*_methods`` modules hold the facade's mixins, one per topic, whose methods receive
the workflow as ``self``; the other modules hold per-topic helpers that take it as an
argument. None imports ``mmm_widgets.workflow`` at run time, so steps stay below the
facade and the facade stays thin (see docs/architecture.md).
"""
