// The recorded upstream wire samples of shared/fixtures, embedded byte for byte (LF line ends).

/// Recorded upstream responses (see shared/fixtures/README.md).
public enum RecordedFixtures {
    /// `assistants-run-stream.sse`.
    public static let assistantsRunStream = #"""
event: thread.run.created
data: {"id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "object": "thread.run", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "status": "queued", "started_at": null, "expires_at": 1795376041, "cancelled_at": null, "failed_at": null, "completed_at": null, "required_action": null, "last_error": null, "model": "gpt-4o-mini", "instructions": "You are a helpful sales assistant.", "tools": [], "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0, "reasoning_effort": null, "max_completion_tokens": null, "max_prompt_tokens": null, "truncation_strategy": {"type": "auto", "last_messages": null}, "incomplete_details": null, "usage": null, "response_format": "auto", "tool_choice": "auto", "parallel_tool_calls": true}

event: thread.run.queued
data: {"id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "object": "thread.run", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "status": "queued", "started_at": null, "expires_at": 1795376041, "cancelled_at": null, "failed_at": null, "completed_at": null, "required_action": null, "last_error": null, "model": "gpt-4o-mini", "instructions": "You are a helpful sales assistant.", "tools": [], "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0, "reasoning_effort": null, "max_completion_tokens": null, "max_prompt_tokens": null, "truncation_strategy": {"type": "auto", "last_messages": null}, "incomplete_details": null, "usage": null, "response_format": "auto", "tool_choice": "auto", "parallel_tool_calls": true}

event: thread.run.in_progress
data: {"id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "object": "thread.run", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "status": "in_progress", "started_at": 1795375441, "expires_at": 1795376041, "cancelled_at": null, "failed_at": null, "completed_at": null, "required_action": null, "last_error": null, "model": "gpt-4o-mini", "instructions": "You are a helpful sales assistant.", "tools": [], "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0, "reasoning_effort": null, "max_completion_tokens": null, "max_prompt_tokens": null, "truncation_strategy": {"type": "auto", "last_messages": null}, "incomplete_details": null, "usage": null, "response_format": "auto", "tool_choice": "auto", "parallel_tool_calls": true}

event: thread.run.step.created
data: {"id": "step_B2s9bdmbPRH235UZqXGUgnbt", "object": "thread.run.step", "created_at": 1795375441, "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "type": "message_creation", "status": "in_progress", "cancelled_at": null, "completed_at": null, "expired_at": null, "failed_at": null, "last_error": null, "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1SpFePjMXjPknmCtCJrYZ9LA"}}, "usage": null, "metadata": {}}

event: thread.run.step.in_progress
data: {"id": "step_B2s9bdmbPRH235UZqXGUgnbt", "object": "thread.run.step", "created_at": 1795375441, "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "type": "message_creation", "status": "in_progress", "cancelled_at": null, "completed_at": null, "expired_at": null, "failed_at": null, "last_error": null, "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1SpFePjMXjPknmCtCJrYZ9LA"}}, "usage": null, "metadata": {}}

event: thread.message.created
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "role": "assistant", "content": [], "attachments": [], "metadata": {}, "status": "in_progress", "completed_at": null, "incomplete_at": null, "incomplete_details": null}

event: thread.message.in_progress
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "role": "assistant", "content": [], "attachments": [], "metadata": {}, "status": "in_progress", "completed_at": null, "incomplete_at": null, "incomplete_details": null}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "Based", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " on the", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " 1 messages so", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " far,", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " here is", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " answer #1", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " about", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " \"What is sales", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " methodology?\": signal", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " forecast", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " upsell timeline", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " budget integration.", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "\nNext steps", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " — demo", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " budget budget expansion", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " discount contract", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " procurement", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " forecast forecast", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " forecast", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " demo security", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " adoption milestone", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " renewal integration", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " timeline contract procurement", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " discount", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " follow-up engagement", "annotations": []}}]}}

event: thread.message.delta
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": " proposal ✓", "annotations": []}}]}}

event: thread.message.completed
data: {"id": "msg_1SpFePjMXjPknmCtCJrYZ9LA", "object": "thread.message", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "role": "assistant", "content": [{"type": "text", "text": {"value": "Based on the 1 messages so far, here is answer #1 about \"What is sales methodology?\": signal forecast upsell timeline budget integration.\nNext steps — demo budget budget expansion discount contract procurement forecast forecast forecast demo security adoption milestone renewal integration timeline contract procurement discount follow-up engagement proposal ✓", "annotations": []}}], "attachments": [], "metadata": {}, "status": "completed", "completed_at": 1795375441, "incomplete_at": null, "incomplete_details": null}

event: thread.run.step.completed
data: {"id": "step_B2s9bdmbPRH235UZqXGUgnbt", "object": "thread.run.step", "created_at": 1795375441, "run_id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "type": "message_creation", "status": "completed", "cancelled_at": null, "completed_at": 1795375441, "expired_at": null, "failed_at": null, "last_error": null, "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_1SpFePjMXjPknmCtCJrYZ9LA"}}, "usage": {"prompt_tokens": 62, "completion_tokens": 49, "total_tokens": 111}, "metadata": {}}

event: thread.run.completed
data: {"id": "run_tFMIkOX3TiujVMY3DeuHJT0z", "object": "thread.run", "created_at": 1795375441, "assistant_id": "asst_test", "thread_id": "thread_dB4z9zt6oQzQjaIovFt995j3", "status": "completed", "started_at": 1795375441, "expires_at": 1795376041, "cancelled_at": null, "failed_at": null, "completed_at": 1795375441, "required_action": null, "last_error": null, "model": "gpt-4o-mini", "instructions": "You are a helpful sales assistant.", "tools": [], "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0, "reasoning_effort": null, "max_completion_tokens": null, "max_prompt_tokens": null, "truncation_strategy": {"type": "auto", "last_messages": null}, "incomplete_details": null, "usage": {"prompt_tokens": 62, "completion_tokens": 49, "total_tokens": 111}, "response_format": "auto", "tool_choice": "auto", "parallel_tool_calls": true}

event: done
data: [DONE]


"""#
    /// `responses-stream.sse`.
    public static let responsesStream = #"""
event: response.created
data: {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056", "object": "response", "created_at": 1795376069, "status": "in_progress", "background": false, "billing": {"payer": "developer"}, "completed_at": null, "conversation": {"id": "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0"}, "error": null, "incomplete_details": null, "instructions": null, "max_output_tokens": null, "max_tool_calls": null, "model": "gpt-4o-mini-2024-07-18", "output": [], "parallel_tool_calls": true, "previous_response_id": null, "prompt_cache_key": null, "prompt_cache_retention": null, "reasoning": {"effort": null, "summary": null}, "safety_identifier": null, "service_tier": "default", "store": true, "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": null, "user": null, "metadata": {}}}

event: response.in_progress
data: {"type": "response.in_progress", "sequence_number": 1, "response": {"id": "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056", "object": "response", "created_at": 1795376069, "status": "in_progress", "background": false, "billing": {"payer": "developer"}, "completed_at": null, "conversation": {"id": "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0"}, "error": null, "incomplete_details": null, "instructions": null, "max_output_tokens": null, "max_tool_calls": null, "model": "gpt-4o-mini-2024-07-18", "output": [], "parallel_tool_calls": true, "previous_response_id": null, "prompt_cache_key": null, "prompt_cache_retention": null, "reasoning": {"effort": null, "summary": null}, "safety_identifier": null, "service_tier": "default", "store": true, "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": null, "user": null, "metadata": {}}}

event: response.output_item.added
data: {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0, "item": {"id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "type": "message", "status": "in_progress", "content": [], "role": "assistant"}}

event: response.content_part.added
data: {"type": "response.content_part.added", "sequence_number": 3, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": "Based on the", "logprobs": [], "obfuscation": "S"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 5, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " 1 messages so", "logprobs": [], "obfuscation": "R"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 6, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " far, here is", "logprobs": [], "obfuscation": "O"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 7, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " answer #1", "logprobs": [], "obfuscation": "cE"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 8, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " about", "logprobs": [], "obfuscation": "_hgFHK"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 9, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " \"What is", "logprobs": [], "obfuscation": "kuV"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 10, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " sales methodology?\":", "logprobs": [], "obfuscation": "l"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 11, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " value renewal", "logprobs": [], "obfuscation": "m"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 12, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " workflow", "logprobs": [], "obfuscation": "v8l"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 13, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " contract security sponsor.", "logprobs": [], "obfuscation": "-"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 14, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": "\nNext steps", "logprobs": [], "obfuscation": "h"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 15, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " — expansion", "logprobs": [], "obfuscation": "P"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 16, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " quarterly alignment timeline", "logprobs": [], "obfuscation": "Z"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 17, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " security", "logprobs": [], "obfuscation": "VP6"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 18, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " follow-up proposal pipeline", "logprobs": [], "obfuscation": "N"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 19, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " engagement", "logprobs": [], "obfuscation": "W"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 20, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " follow-up integration", "logprobs": [], "obfuscation": "r"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 21, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " milestone signal", "logprobs": [], "obfuscation": "h"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 22, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " contract", "logprobs": [], "obfuscation": "EwP"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 23, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " account revenue", "logprobs": [], "obfuscation": "0"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 24, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " engagement value procurement", "logprobs": [], "obfuscation": "D"}

event: response.output_text.delta
data: {"type": "response.output_text.delta", "sequence_number": 25, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "delta": " ✓", "logprobs": [], "obfuscation": "Y1d-Ruyt"}

event: response.output_text.done
data: {"type": "response.output_text.done", "sequence_number": 26, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "text": "Based on the 1 messages so far, here is answer #1 about \"What is sales methodology?\": value renewal workflow contract security sponsor.\nNext steps — expansion quarterly alignment timeline security follow-up proposal pipeline engagement follow-up integration milestone signal contract account revenue engagement value procurement ✓", "logprobs": []}

event: response.content_part.done
data: {"type": "response.content_part.done", "sequence_number": 27, "item_id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": "Based on the 1 messages so far, here is answer #1 about \"What is sales methodology?\": value renewal workflow contract security sponsor.\nNext steps — expansion quarterly alignment timeline security follow-up proposal pipeline engagement follow-up integration milestone signal contract account revenue engagement value procurement ✓"}}

event: response.output_item.done
data: {"type": "response.output_item.done", "sequence_number": 28, "output_index": 0, "item": {"id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "type": "message", "status": "completed", "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": "Based on the 1 messages so far, here is answer #1 about \"What is sales methodology?\": value renewal workflow contract security sponsor.\nNext steps — expansion quarterly alignment timeline security follow-up proposal pipeline engagement follow-up integration milestone signal contract account revenue engagement value procurement ✓"}], "role": "assistant"}}

event: response.completed
data: {"type": "response.completed", "sequence_number": 29, "response": {"id": "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056", "object": "response", "created_at": 1795376069, "status": "completed", "background": false, "billing": {"payer": "developer"}, "completed_at": 1795376069, "conversation": {"id": "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0"}, "error": null, "incomplete_details": null, "instructions": null, "max_output_tokens": null, "max_tool_calls": null, "model": "gpt-4o-mini-2024-07-18", "output": [{"id": "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", "type": "message", "status": "completed", "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": "Based on the 1 messages so far, here is answer #1 about \"What is sales methodology?\": value renewal workflow contract security sponsor.\nNext steps — expansion quarterly alignment timeline security follow-up proposal pipeline engagement follow-up integration milestone signal contract account revenue engagement value procurement ✓"}], "role": "assistant"}], "parallel_tool_calls": true, "previous_response_id": null, "prompt_cache_key": null, "prompt_cache_retention": null, "reasoning": {"effort": null, "summary": null}, "safety_identifier": null, "service_tier": "default", "store": true, "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": {"input_tokens": 62, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 45, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 107}, "user": null, "metadata": {}}}


"""#
    /// `responses-conversation-create.json`.
    public static let responsesConversationCreate = #"""
{"id": "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0", "object": "conversation", "created_at": 1795376069, "metadata": {"account": "Acme"}}

"""#
    /// The header fields of `assistants-run-stream.headers` (after `HTTP/1.1 200 OK`).
    public static let assistantsRunStreamHeaders: [(name: String, value: String)] = [
        ("content-type", "text/event-stream; charset=utf-8"),
        ("transfer-encoding", "chunked"),
        ("cache-control", "no-cache"),
        ("connection", "keep-alive"),
        ("x-ratelimit-limit-requests", "9731"),
        ("x-ratelimit-remaining-requests", "9728"),
        ("x-ratelimit-reset-requests", "6ms"),
        ("x-ratelimit-limit-tokens", "2000000"),
        ("x-ratelimit-remaining-tokens", "1999000"),
        ("x-ratelimit-reset-tokens", "0s"),
        ("openai-version", "2020-10-01"),
    ]
    /// The header fields of `responses-stream.headers` (after `HTTP/1.1 200 OK`).
    public static let responsesStreamHeaders: [(name: String, value: String)] = [
        ("content-type", "text/event-stream; charset=utf-8"),
        ("transfer-encoding", "chunked"),
        ("cache-control", "no-cache"),
        ("connection", "keep-alive"),
        ("x-ratelimit-limit-requests", "9731"),
        ("x-ratelimit-remaining-requests", "9729"),
        ("x-ratelimit-reset-requests", "6ms"),
        ("x-ratelimit-limit-tokens", "2000000"),
        ("x-ratelimit-remaining-tokens", "1999000"),
        ("x-ratelimit-reset-tokens", "0s"),
        ("openai-version", "2020-10-01"),
    ]
}
