"""Fixtures shared by the ci-report tests: a rubric scored only on hidden labels, its labels, predictions."""

HIDDEN_RUBRIC = """\
version: "t1"
deliverable: tabular-classification
pass_mark: 5
hidden_labels:
  source: labels.csv
  target_column: label
  prediction_column: pred
  positive_label: "1"
  metrics: [accuracy, f1]
criteria:
  - id: hidden-accuracy
    points: 10
    rule: threshold
    evidence: hidden:public.accuracy
    min: 0.5
    target: 1.0
  - id: hidden-f1
    points: 10
    rule: threshold
    evidence: hidden:private.f1
    min: 0.0
    target: 1.0
    visibility: after_due
"""
LABELS = "id,label,split\nr1,1,public\nr2,0,public\nr3,1,private\nr4,0,private\n"
GOOD_PREDS = "id,pred\nr1,1\nr2,0\nr3,1\nr4,0\n"
