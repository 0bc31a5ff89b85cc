"""The machinery every step shares: the step graph, the read-only context, the runner, jobs.

Nothing here knows pandas or pymc-marketing calls (steps do) or widgets (views do).
"""
