// Drives a Trellis server with the official OpenAI Node SDK: one chat, one stream.
// Usage: OPENAI_NODE_DIR=<folder with node_modules/openai> node openai-node-client.mjs BASE_URL MODEL
import { createRequire } from "node:module";
import path from "node:path";
import fs from "node:fs";

const require = createRequire(path.join(process.env.OPENAI_NODE_DIR, "package.json"));
const OpenAI = require("openai");
const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });

const chat = await client.chat.completions.create({
  model, messages: [{ role: "user", content: "hello from node" }], temperature: 0.3
});
const stream = await client.chat.completions.create({
  model, messages: [{ role: "user", content: "stream this please" }], stream: true,
  stream_options: { include_usage: true }
});
const pieces = [];
let usage = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage;
  const delta = chunk.choices[0]?.delta?.content;
  if (delta) pieces.push(delta);
}
console.log(JSON.stringify({
  sdk: JSON.parse(fs.readFileSync(path.join(process.env.OPENAI_NODE_DIR, "node_modules", "openai", "package.json"), "utf8")).version,
  chat: chat.choices[0].message.content,
  chatUsage: chat.usage,
  pieces,
  streamUsage: usage
}));
