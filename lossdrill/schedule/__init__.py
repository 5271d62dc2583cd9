"""The learning engine: one FSRS schedule over every item, and a daily plan toward an
interview date.

- :mod:`.grades`: evidence (a quiz answer, an implement attempt, a card rating) to an FSRS grade;
- :mod:`.memory`: the FSRS state of one item, reviewed and read with the ``fsrs`` package;
- :mod:`.planner`: today's plan, pure and deterministic (the clock is an argument);
- :mod:`.forecast`: recall and readiness probabilities on the interview date;
- :mod:`.misconceptions`: the taxonomy in ``questions/misconceptions.yaml``;
- :mod:`.calibration`: predicted retrievability against recorded outcomes;
- :mod:`.clock`: "now", which ``$LOSSDRILL_NOW`` can set.

Nothing here prints.
"""
