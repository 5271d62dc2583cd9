"""Plots of losses and gradients: curve data (pure), terminal, table and PNG renderers.

:mod:`~lossdrill.plotting.slices` says what the x axis means for every task;
:mod:`~lossdrill.plotting.curves` computes the values from the hidden references;
:mod:`~lossdrill.plotting.terminal`, :mod:`~lossdrill.plotting.table` and
:mod:`~lossdrill.plotting.image` draw them; :mod:`~lossdrill.plotting.overlay` draws a
failing submission against the reference.
"""
