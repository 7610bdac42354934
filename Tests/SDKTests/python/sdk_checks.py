"""Drop-in checks with the official OpenAI Python SDK against ThreadMeter (contract §8).

Run by Tests/ThreadMeterAppTests/DropInSDKTests.swift with OPENAI_BASE_URL pointing at the service
(`http://127.0.0.1:PORT/v1`) and OPENAI_API_KEY set to one of its API_KEYS. Each scenario asserts what
the SDK saw and prints one JSON line (the ids and usage it saw) for the Swift side to check `/stats`.
Usage: sdk_checks.py <scenario> [args...]
"""
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # the Assistants API is deprecated in the SDK; still served here

import openai
from openai import AssistantEventHandler, OpenAI

ASSISTANT = "asst_test"
MODEL = "gpt-4o-mini"


def client(**kwargs):
    return OpenAI(max_retries=0, timeout=20, **kwargs)


def emit(**fields):
    print(json.dumps(fields))


def usage_of(obj):
    u = obj.usage
    if u is None:
        return None
    if hasattr(u, "prompt_tokens"):
        return {"input": u.prompt_tokens, "output": u.completion_tokens}
    return {"input": u.input_tokens, "output": u.output_tokens}


class Collector(AssistantEventHandler):
    def __init__(self):
        super().__init__()
        self.text = []
        self.events = []

    def on_event(self, event):
        self.events.append(event.event)

    def on_text_delta(self, delta, snapshot):
        self.text.append(delta.value)


def assistants_stream(thread_id=None):
    c = client()
    if thread_id is None:
        thread_id = c.beta.threads.create().id
    c.beta.threads.messages.create(thread_id, role="user", content="How is the Acme renewal going?")
    handler = Collector()
    with c.beta.threads.runs.stream(thread_id=thread_id, assistant_id=ASSISTANT, event_handler=handler,
                                    metadata={"account": "Acme"}) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "completed", run.status
    assert "".join(handler.text), "no text deltas"
    assert handler.events[0] == "thread.run.created", handler.events[:3]
    assert handler.events[-1] == "thread.run.completed", handler.events[-3:]
    assert run.usage is not None
    emit(thread_id=thread_id, run_id=run.id, usage=usage_of(run), text="".join(handler.text), events=len(handler.events))


def responses_stream(conversation=None):
    c = client()
    if conversation is None:
        conversation = c.conversations.create(metadata={"account": "Acme"}).id
    text = []
    with c.responses.stream(model=MODEL, conversation=conversation, input="Summarise the pipeline",
                            metadata={"account": "Acme"}) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                text.append(event.delta)
        final = stream.get_final_response()
    assert final.status == "completed", final.status
    assert "".join(text) == final.output_text, ("".join(text), final.output_text)
    emit(thread_id=conversation, run_id=final.id, usage=usage_of(final), text="".join(text))


def assistants_poll():
    c = client()
    thread = c.beta.threads.create()
    c.beta.threads.messages.create(thread.id, role="user", content="Next steps?")
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=ASSISTANT, poll_interval_ms=50)
    assert run.status == "completed", run.status
    again = c.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert again.usage.total_tokens == run.usage.total_tokens
    messages = c.beta.threads.messages.list(thread.id)
    assert [m.role for m in messages.data][:2] == ["assistant", "user"], [m.role for m in messages.data]
    fetched = c.beta.threads.retrieve(thread.id)
    assert fetched.id == thread.id
    # A second run nobody polls: the service watches it to its end by itself.
    c.beta.threads.messages.create(thread.id, role="user", content="And the budget?")
    unpolled = c.beta.threads.runs.create(thread_id=thread.id, assistant_id=ASSISTANT)
    assert unpolled.status in ("queued", "in_progress"), unpolled.status
    emit(thread_id=thread.id, run_id=run.id, usage=usage_of(run), unpolled_run_id=unpolled.id)


def create_and_run():
    c = client()
    run = c.beta.threads.create_and_run_poll(
        assistant_id=ASSISTANT, thread={"messages": [{"role": "user", "content": "Hello there"}]}, poll_interval_ms=50)
    assert run.status == "completed", run.status
    names = []
    streamed_run = None
    stream = c.beta.threads.create_and_run(
        assistant_id=ASSISTANT, thread={"messages": [{"role": "user", "content": "Stream it"}]}, stream=True)
    for event in stream:
        names.append(event.event)
        if event.event == "thread.run.completed":
            streamed_run = event.data
    assert names[0] == "thread.created", names[:2]
    assert streamed_run is not None and streamed_run.usage is not None
    emit(polled=dict(thread_id=run.thread_id, run_id=run.id, usage=usage_of(run)),
         streamed=dict(thread_id=streamed_run.thread_id, run_id=streamed_run.id, usage=usage_of(streamed_run)))


def cancel():
    c = client()
    thread = c.beta.threads.create()
    c.beta.threads.messages.create(thread.id, role="user", content="Take your time")
    run = c.beta.threads.runs.create(thread_id=thread.id, assistant_id=ASSISTANT)
    cancelling = c.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert cancelling.status == "cancelling", cancelling.status
    run = c.beta.threads.runs.poll(run.id, thread_id=thread.id, poll_interval_ms=50)
    assert run.status == "cancelled", run.status
    emit(thread_id=thread.id, run_id=run.id, usage=usage_of(run))


def errors(bad_key):
    seen = {}
    try:
        client(api_key=bad_key).beta.threads.create()
        raise AssertionError("a wrong key was accepted")
    except openai.AuthenticationError as e:
        seen["401"] = e.status_code
    c = client()
    thread = c.beta.threads.create()
    try:
        c.beta.threads.runs.retrieve("run_doesnotexist", thread_id=thread.id)
        raise AssertionError("an unknown run was found")
    except openai.NotFoundError as e:
        seen["404"] = e.status_code
    try:
        c.beta.threads.runs.retrieve("bad..id", thread_id=thread.id)
        raise AssertionError("a malformed id was accepted")
    except openai.BadRequestError as e:
        seen["400"] = e.status_code
        assert e.body is not None and "type" in e.body and "param" in e.body, e.body
    c.beta.threads.messages.create(thread.id, role="user", content="Rate limited?")
    try:
        c.beta.threads.runs.create(thread_id=thread.id, assistant_id=ASSISTANT, stream=True)
        raise AssertionError("the upstream's 429 did not pass through")
    except openai.RateLimitError as e:
        seen["429"] = e.status_code
        seen["retry_after"] = e.response.headers.get("retry-after")
        seen["request_id"] = e.request_id
        seen["ratelimit"] = e.response.headers.get("x-ratelimit-limit-requests")
    emit(**seen)


def responses_nonstream():
    c = client()
    conversation = c.conversations.create()
    fetched = c.conversations.retrieve(conversation.id)
    assert fetched.id == conversation.id
    first = c.responses.create(model=MODEL, conversation=conversation.id, input="Give me the forecast")
    assert first.status == "completed" and first.usage is not None
    again = c.responses.retrieve(first.id)
    assert again.usage.total_tokens == first.usage.total_tokens
    alone = c.responses.create(model=MODEL, input="A question without a conversation")
    assert alone.conversation is None
    background = c.responses.create(model=MODEL, conversation=conversation.id, input="In the background", background=True)
    assert background.status in ("queued", "in_progress"), background.status
    emit(conversation=conversation.id, first=dict(run_id=first.id, usage=usage_of(first)),
         alone=dict(run_id=alone.id, usage=usage_of(alone)), background_id=background.id)


if __name__ == "__main__":
    scenario, args = sys.argv[1], sys.argv[2:]
    globals()[scenario](*args)
