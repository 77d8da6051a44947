"""Lessons: models, YAML loading and validation, grading. Pure Python (pydantic, pyyaml).

$ python -m lessons validate          # check content/lessons
$ pytest tests/unit -q -k lessons
"""
