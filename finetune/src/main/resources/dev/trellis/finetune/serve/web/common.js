// Shared by the playground and the dashboard: the API key (kept for this tab only) and fetch.
"use strict";
const trellis = {
  apiKey() {
    return sessionStorage.getItem("trellis-api-key") || "";
  },
  setApiKey(key) {
    if (key) sessionStorage.setItem("trellis-api-key", key); else sessionStorage.removeItem("trellis-api-key");
  },
  headers(extra) {
    const headers = Object.assign({}, extra || {});
    const key = trellis.apiKey();
    if (key) headers["Authorization"] = "Bearer " + key;
    return headers;
  },
  // Throws an Error carrying the server's OpenAI-shaped message when the status is not 2xx.
  async fetchJson(url, options) {
    const response = await fetch(url, Object.assign({}, options, { headers: trellis.headers((options || {}).headers) }));
    const text = await response.text();
    let body;
    try { body = JSON.parse(text); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : text;
      throw new Error(response.status + ": " + message);
    }
    return body;
  },
  async modelName() {
    const models = await trellis.fetchJson("/v1/models");
    return models.data[0].id;
  }
};
