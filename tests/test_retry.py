"""Which faults are retried: transient ones only, never a request the server called invalid, and never past the
deadline."""

from __future__ import annotations

import httpx
import pytest

from assistant.retry import Deadline, call_with_retries, is_request_error, is_transient
from tests.llm_stubs import REFUSED_422, VALIDATION_500


def status_error(status: int, body: object = None, text: str = "") -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(status, json=body) if body is not None else httpx.Response(status, text=text)
    return httpx.HTTPStatusError(f"HTTP {status}", request=request, response=response)


@pytest.mark.parametrize(
    ("error", "transient", "request_error"),
    [
        (status_error(*VALIDATION_500), False, True),  # llama-cpp-python's 500 for a request it cannot validate
        (status_error(*REFUSED_422), False, True),
        (status_error(400, text="bad request"), False, True),
        (status_error(500, text="<html>Internal Server Error</html>"), True, False),
        (status_error(503, {"error": {"message": "loading model"}}), True, False),
        (status_error(429, text="slow down"), True, False),
        (status_error(401, text="no"), False, False),
        (httpx.ConnectError("refused"), True, False),
    ],
)
def test_what_counts_as_transient(error: Exception, transient: bool, request_error: bool) -> None:
    assert (is_transient(error), is_request_error(error)) == (transient, request_error)


class Failing:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_the_same_500_twice_is_final_where_the_caller_says_so(no_sleep: list[float]) -> None:
    same = [status_error(500, text="the model crashed") for _ in range(4)]
    fn = Failing(*same)
    with pytest.raises(httpx.HTTPStatusError):
        call_with_retries(fn, what="test", attempts=4, repeated_500_is_final=True)
    assert fn.calls == 2
    fn = Failing(*[status_error(500, text="the model crashed") for _ in range(3)])
    assert call_with_retries(fn, what="test", attempts=4) == "ok" and fn.calls == 4  # OpenAlex keeps trying


def test_a_500_that_changes_is_retried(no_sleep: list[float]) -> None:
    fn = Failing(status_error(500, text="one"), status_error(500, text="two"))
    assert call_with_retries(fn, what="test", attempts=4, repeated_500_is_final=True) == "ok" and fn.calls == 3


def test_no_retry_starts_that_would_sleep_past_the_deadline(no_sleep: list[float]) -> None:
    fn = Failing(
        *[
            status_error(
                429,
                text="wait",
            )
            for _ in range(5)
        ]
    )
    fn.errors[0].response.headers["retry-after"] = "30"
    with pytest.raises(httpx.HTTPStatusError):
        call_with_retries(fn, what="test", attempts=5, max_backoff=30, deadline=Deadline(5.0))
    assert fn.calls == 1 and no_sleep == []  # a 30 s wait cannot end within 5 s: give up now, say why
