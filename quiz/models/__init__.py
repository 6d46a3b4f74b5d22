from quiz.models.aggregates import AnswerAggregate, CrowdCount, TellTally
from quiz.models.answer_groups import AnswerGroupCount
from quiz.models.attempts import Answer, Attempt, AttemptItem, GivenAnswer
from quiz.models.choices import (
    Difficulty,
    ItemKind,
    Mode,
    Order,
    Outcome,
    SaidVerdict,
    Selection,
    Slot,
    SpotTarget,
)
from quiz.models.items import Crowd, Item
from quiz.models.quizzes import Quiz, QuizItem

__all__ = [
    "Answer",
    "AnswerAggregate",
    "AnswerGroupCount",
    "Attempt",
    "AttemptItem",
    "Crowd",
    "CrowdCount",
    "Difficulty",
    "GivenAnswer",
    "Item",
    "ItemKind",
    "Mode",
    "Order",
    "Outcome",
    "Quiz",
    "QuizItem",
    "SaidVerdict",
    "Selection",
    "Slot",
    "SpotTarget",
    "TellTally",
]
