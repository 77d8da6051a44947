"""Lesson and question models (pydantic v2), the single source of the lesson YAML schema.

Every model forbids unknown keys, so a typo such as `explaination` is an error. The rules
that relate several fields (one correct option, an acyclic `precedes` graph, unique ids…)
live in `lessons/rules.py`; the models run them after validation, and the loader runs them
itself to point at the exact line of each problem.

    $ python -m lessons validate content/lessons     # check lessons
    $ python -m lessons schema --out content/lesson.schema.json
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from lessons import labs, rules
from lessons.ordering import topological_order

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
DEFER_CHECKS = "defer_checks"
"""Validation context key: when true, models skip the cross-field rules (the loader runs
them itself, with locations)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def _raise_issues(issues: list[tuple[tuple[Any, ...], str]]) -> None:
    if issues:
        raise ValueError("; ".join(f"{'.'.join(map(str, p)) or '-'}: {m}" for p, m in issues))


def _deferred(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(DEFER_CHECKS))


class Option(Strict):
    id: Id
    """Short id of the option, unique in the question (the answer names it)."""
    text: str
    """What the learner sees (Markdown)."""
    correct: bool = False
    """Whether choosing this option is right."""
    feedback: str | None = None
    """Shown after answering when this option was chosen (Markdown)."""


class Item(Strict):
    id: Id
    """Short id of the item, unique in its list (answers and keys name it)."""
    text: str
    """What the learner sees (Markdown)."""


class QuestionBase(Strict):
    id: Id
    """Question id, unique in the lesson; answers and scores are stored under it."""
    prompt: str
    """The question (Markdown)."""
    explanation: str
    """Why the right answer is right (Markdown), shown after answering."""
    hint: str | None = None
    """Optional hint the learner may open before answering (Markdown)."""
    points: float = Field(default=1.0, gt=0)
    """Weight of the question in the lesson score (> 0)."""
    max_tries: int | None = Field(default=None, ge=1)
    """Tries allowed before the answer is revealed; omitted = unlimited."""
    penalty: float = Field(default=0.0, ge=0, le=1)
    """Fraction subtracted per wrong try before the right one (Moodle interactive mode)."""
    lab: Id | None = None
    """Id of a lab block of this lesson: a "predict, then run" question."""

    @model_validator(mode="after")
    def _check_rules(self, info: ValidationInfo) -> QuestionBase:
        if not _deferred(info):
            _raise_issues(list(rules.question_issues(self)))
        return self


class SingleChoiceQuestion(QuestionBase):
    type: Literal["single_choice"]
    """One right option among several."""
    options: list[Option] = Field(min_length=2)
    """The options; exactly one has `correct: true`."""


class MultipleChoiceQuestion(QuestionBase):
    type: Literal["multiple_choice"]
    """Several options may be right; the learner ticks all that apply."""
    options: list[Option] = Field(min_length=2)
    """The options; at least one has `correct: true`."""
    scoring: Literal["partial", "all_or_nothing"] = "partial"
    """partial: +1/k per right choice, −1/k per wrong one, floored at 0 (k = right options)."""


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    """A statement to judge."""
    answer: bool
    """Whether the statement in the prompt is true."""


OrderingScoring = Literal["all_or_nothing", "next_item", "longest_subset", "distance", "precedence"]


class OrderingQuestion(QuestionBase):
    type: Literal["ordering"]
    """Put items in order; the key is one order or a dependency graph."""
    items: list[Item] = Field(min_length=2)
    """The items to order, listed in the order shown to the learner before shuffling."""
    answer: list[Id] | None = None
    """The one right order (all item ids). Give this or `precedes`, not both."""
    precedes: list[tuple[Id, Id]] | None = None
    """Dependency graph: each [a, b] means a comes before b; every order consistent with
    it is right. Give this or `answer`, not both."""
    scoring: OrderingScoring | None = None
    """Partial-credit rule; default `precedence` with a graph, `next_item` with an order.
    With a graph only `precedence` and `all_or_nothing` apply."""

    @property
    def rule(self) -> OrderingScoring:
        """The scoring rule in force (the default filled in)."""
        if self.scoring:
            return self.scoring
        return "precedence" if self.precedes is not None else "next_item"

    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def correct_order(self) -> list[str]:
        """The key, or one order consistent with the graph (for showing the solution)."""
        if self.answer is not None:
            return list(self.answer)
        return topological_order(self.item_ids(), self.precedes or [])


class MatchingQuestion(QuestionBase):
    type: Literal["matching"]
    """Match each left item with one right item."""
    left: list[Item] = Field(min_length=1)
    """Items to match (e.g. strategies)."""
    right: list[Item] = Field(min_length=1)
    """Candidates (e.g. descriptions); those not used in `pairs` are distractors."""
    pairs: dict[Id, Id]
    """The key: left id → right id, one entry for every left item."""
    scoring: Literal["partial", "all_or_nothing"] = "partial"
    """partial: correct pairs / pairs."""


class WrongAnswer(Strict):
    value: float
    """A value learners are known to enter, e.g. the other bubble convention's fraction."""
    tolerance: float = Field(default=0.0, ge=0)
    """Absolute tolerance: answers within ±tolerance (inclusive) get this feedback."""
    feedback: str
    """What the learner is told when their answer is this one (Markdown)."""


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    """A number to compute, e.g. a memory size or a bubble fraction."""
    answer: float
    """The right value."""
    tolerance: float = Field(default=0.0, ge=0)
    """Absolute tolerance: answers within ±tolerance (inclusive) are right."""
    unit: str | None = None
    """Unit shown beside the input box, e.g. GB."""
    wrong_answers: list[WrongAnswer] = Field(default_factory=list)
    """Known wrong answers with targeted feedback, scored 0; none may overlap the key's
    range `answer ± tolerance` or another wrong answer's range."""


class RubricLine(Strict):
    text: str
    """One thing a good answer does, e.g. "names the bubble fraction (p−1)/(m+p−1)"."""
    points: float = Field(gt=0)
    """Points this line is worth (> 0); the essay's score is ticked points / all points."""


class EssayQuestion(QuestionBase):
    type: Literal["essay"]
    """An open answer (Moodle's essay): the learner writes, then sees the model answer and
    ticks the rubric lines they met; an instructor grades it on the instructor page."""
    model_answer: str
    """A good answer (Markdown), shown once the learner has submitted theirs."""
    rubric: list[RubricLine] = Field(min_length=1)
    """What a good answer contains, line by line, with points."""
    min_words: int = Field(default=0, ge=0)
    """Fewest words accepted before submitting (0 = any non-empty text)."""
    max_chars: int = Field(default=10_000, ge=1, le=100_000)
    """Longest answer accepted, in characters."""

    @property
    def rubric_points(self) -> float:
        """Sum of the rubric lines' points."""
        return sum(line.points for line in self.rubric)


class MarkdownBlock(Strict):
    type: Literal["markdown"]
    """Text of the lesson."""
    text: str
    """Markdown."""


class LabBlock(Strict):
    type: Literal["lab"]
    """A live-lab preset: a runner job spec shown beside the text, runnable from the page."""
    id: Id
    """Lab id, unique in the lesson; questions name it in `lab`."""
    caption: str
    """One line saying what the run shows."""
    spec: Annotated[dict[str, Any], WithJsonSchema(labs.spec_json_schema())]
    """A runner job spec, checked by its workload's spec class (`python -m runner workloads`),
    e.g. {workload: pipeline, schedule: GPipe, pp: 2, microbatches: 1}."""
    trace: str | None = None
    """Recorded trace under content/traces/, shown when no run was made."""

    @model_validator(mode="after")
    def _spec_runs(self, info: ValidationInfo) -> LabBlock:
        if not (info.context or {}).get(DEFER_CHECKS):
            for path, message in labs.spec_issues(self.spec):
                raise ValueError(f"{'.'.join(map(str, path))}: {message}")
        return self


QUESTION_MODELS: tuple[type[QuestionBase], ...] = (
    SingleChoiceQuestion,
    MultipleChoiceQuestion,
    TrueFalseQuestion,
    OrderingQuestion,
    MatchingQuestion,
    NumericQuestion,
    EssayQuestion,
)
"""Every question model; `lessons/types.py` gives each its grader, widget and writers (a
model missing there is an import error and a test failure)."""
QUESTION_TYPES: tuple[str, ...] = tuple(
    m.model_fields["type"].annotation.__args__[0] for m in QUESTION_MODELS
)
"""The `type` tags of the question models, in table order."""

Question = Annotated[Union[QUESTION_MODELS], Field(discriminator="type")]  # noqa: UP007
Block = Annotated[
    Union[(MarkdownBlock, LabBlock, *QUESTION_MODELS)],
    Field(discriminator="type"),
]
BLOCK_TYPES = ("markdown", "lab", *QUESTION_TYPES)


class Lesson(Strict):
    model_config = ConfigDict(title="ParaLab lesson")

    id: Id
    """Lesson id, unique in the catalog (used in URLs and stored scores)."""
    title: str
    """Title shown in the lesson list."""
    summary: str
    """One or two sentences shown under the title."""
    concepts: list[str]
    """Concepts taught, in the README glossary's words (e.g. microbatch, bubble)."""
    sources: list[str]
    """Where the material comes from: papers, docs, seeds (may be empty)."""
    order: int = 100
    """Position in the catalog (lower first; ties by id)."""
    group: str | None = None
    """Concept group on the course map (e.g. pipeline, memory, inference, cases)."""
    prerequisites: list[Id] = Field(default_factory=list)
    """Ids of lessons to learn before this one (the source's "Learn before")."""
    body: list[Block] = Field(min_length=1)
    """The blocks of the lesson, in order: markdown, lab and question blocks."""

    @model_validator(mode="after")
    def _check_lesson_rules(self, info: ValidationInfo) -> Lesson:
        if not _deferred(info):
            _raise_issues(list(rules.lesson_issues(list(enumerate(self.body)))))
        return self

    def questions(self) -> list[QuestionBase]:
        """The question blocks, in lesson order."""
        return [b for b in self.body if isinstance(b, QuestionBase)]

    def question(self, question_id: str) -> QuestionBase:
        """The question with this id (KeyError if none)."""
        return _by_id(self.questions(), question_id)

    def labs(self) -> list[LabBlock]:
        """The lab blocks, in lesson order."""
        return [b for b in self.body if isinstance(b, LabBlock)]

    def lab(self, lab_id: str) -> LabBlock:
        """The lab block with this id (KeyError if none)."""
        return _by_id(self.labs(), lab_id)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions())


def _by_id(blocks: list, block_id: str):
    """The block with this id among `blocks`; KeyError naming the id if none."""
    for block in blocks:
        if block.id == block_id:
            return block
    raise KeyError(block_id)
