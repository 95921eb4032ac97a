"""What reads as an instruction to a model: in a CV or an abstract an injection attempt, in a model's output a
sign it obeyed one. Its own module, below both the untrusted-text marking and the guardrails that share it.
"""

from __future__ import annotations

import re

# Instructions or model meta-text: in a CV they are an injection attempt; in an email they mean the model obeyed.
_INSTRUCTION_PATTERNS = (
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|my|these|those|previous|prior|above|"
    r"earlier|preceding|other)\s+){0,3}(?:instructions?|prompts?|rules|guidelines|directions|directives)\b",
    r"\b(?:system prompt|developer message|jailbreak|prompt injection)\b",
    r"\bas an ai\b|\bas a (?:large )?language model\b|\bai language model\b|\bi am an ai\b|\bi'm an ai\b",
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|model|llm|chatbot|"
    r"language model|gpt|chatgpt|bot|screening system)\b",
    r"<\|?(?:im_start|im_end|system|assistant)\|?>|\[/?INST\]|###\s*(?:instruction|system)",
)
# Only in a CV: phrasings a real email uses innocently ("the model should stop", "state that they converge").
_CV_ONLY_PATTERNS = (
    r"\b(?:ai|assistant|model|llm|chatgpt|gpt|language model)s?\b[^.\n]{0,40}\b(?:must|should|shall|are required)\b",
    r"\b(?:when|while)\s+(?:writing|drafting|generating|composing)\s+(?:the|an|any|this)?\s*(?:email|letter|"
    r"message|response|output)\b",
    r"\b(?:say|state|mention|claim|write|add)\s+that\s+(?:the\s+)?(?:student|applicant|candidate|he|she|they)\b",
)
# Only in an email: a model talking to its user instead of writing the email.
_OUTPUT_META_PATTERNS = (
    r"\bhere(?:'s| is)\s+(?:a|the|your|an)\s+(?:draft|email|revised|personali[sz]ed|updated)\b",
    r"^\s*(?:sure|certainly|of course)[!,.]\s",
    r"\bi cannot (?:fulfill|comply|assist)\b|\bi'm sorry, but i (?:can(?:no|')t)\b",
    r"\bthis (?:email|message|draft) (?:was|is|has been) (?:generated|written) by\b",
)
CV_INSTRUCTION_RE = re.compile("|".join((*_INSTRUCTION_PATTERNS, *_CV_ONLY_PATTERNS)), re.IGNORECASE | re.MULTILINE)
OUTPUT_INSTRUCTION_RE = re.compile(
    "|".join((*_INSTRUCTION_PATTERNS, *_OUTPUT_META_PATTERNS)), re.IGNORECASE | re.MULTILINE
)
INSTRUCTION_WORDS = frozenset(
    "ignore disregard forget override instruction instructions previous prior prompt system assistant model ai "
    "llm chatgpt gpt note say state mention claim write include add email letter output student applicant "
    "candidate must should hidden text important".split()
)
