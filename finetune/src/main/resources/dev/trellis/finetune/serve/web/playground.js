// The chat playground: streams answers from /v1/chat/completions (server-sent events) into the log.
"use strict";
(function () {
  const log = document.getElementById("log");
  const prompt = document.getElementById("prompt");
  const send = document.getElementById("send");
  const system = document.getElementById("system");
  const temperature = document.getElementById("temperature");
  const maxTokens = document.getElementById("max-tokens");
  const apiKey = document.getElementById("api-key");
  const history = [];
  let model = null;

  apiKey.value = trellis.apiKey();
  apiKey.addEventListener("change", () => { trellis.setApiKey(apiKey.value.trim()); loadModel(); });
  temperature.addEventListener("input", () => {
    document.getElementById("temperature-value").textContent = temperature.value;
  });
  document.getElementById("clear").addEventListener("click", () => { history.length = 0; log.replaceChildren(); });
  prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("composer").requestSubmit(); }
  });
  document.getElementById("composer").addEventListener("submit", (e) => { e.preventDefault(); ask(); });

  async function loadModel() {
    const label = document.getElementById("model-name");
    try {
      model = await trellis.modelName();
      label.textContent = model;
    } catch (e) {
      label.textContent = "model unavailable (" + e.message + ")";
    }
  }

  function bubble(role, text) {
    const div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  async function ask() {
    const text = prompt.value.trim();
    if (!text || send.disabled) return;
    prompt.value = "";
    send.disabled = true;
    bubble("user", text);
    history.push({ role: "user", content: text });
    const answer = bubble("assistant", "");
    answer.dataset.state = "streaming";
    const messages = (system.value.trim() ? [{ role: "system", content: system.value.trim() }] : []).concat(history);
    const started = performance.now();
    let content = "";
    let usage = null;
    try {
      const response = await fetch("/v1/chat/completions", {
        method: "POST",
        headers: trellis.headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({
          model: model || undefined, messages, stream: true, stream_options: { include_usage: true },
          temperature: Number(temperature.value), max_tokens: Number(maxTokens.value) || undefined
        })
      });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        throw new Error(response.status + ": " + (body && body.error ? body.error.message : response.statusText));
      }
      // Parse the event stream by hand: events are separated by a blank line, each "data: {json}".
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let done = false;
      while (!done) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of event.split("\n")) {
            if (!line.startsWith("data:")) continue;
            const data = line.slice(5).trim();
            if (data === "[DONE]") { done = true; break; }
            const json = JSON.parse(data);
            if (json.error) throw new Error(json.error.message);
            if (json.usage) usage = json.usage;
            const choice = json.choices && json.choices[0];
            if (choice && choice.delta) {
              if (choice.delta.content) content += choice.delta.content;
              if (choice.delta.tool_calls) {
                content += choice.delta.tool_calls.map(c => "[tool call] " + c.function.name + " " + c.function.arguments).join("\n");
              }
              answer.textContent = content;
              log.scrollTop = log.scrollHeight;
            }
          }
        }
      }
      history.push({ role: "assistant", content });
      answer.dataset.state = "done";
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = ((performance.now() - started) / 1000).toFixed(2) + " s"
        + (usage ? " · " + usage.prompt_tokens + " prompt + " + usage.completion_tokens + " completion tokens" : "");
      answer.appendChild(meta);
    } catch (e) {
      answer.remove();
      history.pop();
      bubble("error", e.message);
    } finally {
      send.disabled = false;
      prompt.focus();
    }
  }

  loadModel();
})();
