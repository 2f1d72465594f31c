"""The score stage: evidence + rubric -> scorecard, pure and deterministic.

| module | what |
|---|---|
| ``model`` | the rubric contract: criteria, ``hidden_labels``, the resolved :class:`Rubric`, its JSON Schema |
| ``load`` | a rubric file loaded: ``extends`` resolved, overrides merged, every problem with its place |
| ``explain`` | a rubric in words (``rubric explain``, the template READMEs' scoring tables) |
| ``scoring`` | the scorer: each criterion's rule over the evidence's facts, totals, the scorecard |
| ``embargo`` | the learner's copy of a scorecard before the due date |
| ``metrics`` | hidden-label metric names and maths (pure) |
| ``files`` | reading the hidden labels and the learner's predictions, validated hard |
| ``hidden`` | hidden-label scoring put together: where the labels are, the metrics, into the evidence |

Importing this package imports none of its modules: each command imports what it needs.
"""
