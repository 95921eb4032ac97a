"""Ask: answer a student's question from professors' indexed papers, every citation checked in code; chat keeps
a conversation whose follow-ups refer back. How it behaves, and the measurements behind the offline answerer's
cut, are in the README ("Ask about a lab's work").

The modules, in the order an answer is made: `question` (its kind and topic), `retrieve` (scope, stable markers,
hybrid search), `extractive` (the offline answerer) or `llm_answer` (the prompt; one structured call, or a
stream), `markers` and `checks` (citations and each sentence through the guardrails), `asker` (one question,
start to finish), `result` (what callers get: the result, and the events of an answer being made), `chat` (the
reference list and the chat loop). A chat's follow-ups: `followup` (which earlier papers "the first one", "its",
"[2]" mean) and `followup_answer` (the offline answers about them).
"""

from assistant.ask.asker import Asker, Conversation, ask_question
from assistant.ask.chat import ChatSession, chat_loop, reference_line, references_text
from assistant.ask.checks import answer_sentences, check_answer
from assistant.ask.extractive import RELEVANCE_THRESHOLD, SentenceScorer, paper_sentences
from assistant.ask.followup import Cited, refers_to
from assistant.ask.llm_answer import AskReply, ask_messages
from assistant.ask.markers import MarkerFilter, markers_in, remove_markers, strip_invalid_markers
from assistant.ask.question import Kind, asked_about, question_kind, question_topic
from assistant.ask.result import AskEvent, AskResult, Chunk, Done, answer_of
from assistant.ask.retrieve import MarkerRegistry, Scope, Source, make_scope, retrieve

__all__ = [
    "RELEVANCE_THRESHOLD",
    "AskEvent",
    "AskReply",
    "AskResult",
    "Asker",
    "ChatSession",
    "Chunk",
    "Cited",
    "Conversation",
    "Done",
    "Kind",
    "MarkerFilter",
    "MarkerRegistry",
    "Scope",
    "SentenceScorer",
    "Source",
    "answer_of",
    "answer_sentences",
    "ask_messages",
    "ask_question",
    "asked_about",
    "chat_loop",
    "check_answer",
    "make_scope",
    "markers_in",
    "paper_sentences",
    "question_kind",
    "question_topic",
    "reference_line",
    "references_text",
    "refers_to",
    "remove_markers",
    "retrieve",
    "strip_invalid_markers",
]
