// The checkpoint dashboard: provenance (trellis.json), the loss curve and the evaluation table.
"use strict";
(function () {
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    (children || []).forEach(c => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  function show(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function keyValues(object) {
    const dl = el("dl", { class: "kv" });
    Object.entries(object).forEach(([k, v]) => { dl.append(el("dt", {}, [k]), el("dd", {}, [show(v)])); });
    return dl;
  }

  function table(rows) {
    const columns = [];
    rows.forEach(r => Object.keys(r).forEach(k => { if (!columns.includes(k)) columns.push(k); }));
    const head = el("tr", {}, columns.map(c => el("th", {}, [c])));
    const body = rows.map(r => el("tr", {}, columns.map(c => {
      const v = r[c];
      return el("td", typeof v === "number" ? { class: "num" } : {}, [typeof v === "number" ? +v.toFixed(4) : show(v)]);
    })));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  function unreadable(node) {
    return node && node.unreadable ? el("p", { class: "muted" }, ["unreadable: " + node.unreadable]) : null;
  }

  // eval.md: show its first Markdown table as a table, the rest as text.
  function markdown(text) {
    const lines = text.split("\n");
    const start = lines.findIndex((l, i) => l.trim().startsWith("|") && (lines[i + 1] || "").match(/^\s*\|?\s*:?-{3,}/));
    if (start < 0) return el("pre", {}, [text]);
    const cells = l => l.trim().replace(/^\||\|$/g, "").split("|").map(c => c.trim());
    const columns = cells(lines[start]);
    const rows = [];
    for (let i = start + 2; i < lines.length && lines[i].trim().startsWith("|"); i++) {
      const values = cells(lines[i]);
      rows.push(Object.fromEntries(columns.map((c, j) => [c, values[j]])));
    }
    const parts = [];
    const before = lines.slice(0, start).join("\n").trim();
    if (before) parts.push(el("pre", {}, [before]));
    parts.push(table(rows));
    return el("div", {}, parts);
  }

  // A loss curve drawn from metrics.jsonl when the trainer left no loss.png.
  function lossSvg(metrics) {
    const lossKey = ["loss", "train_loss", "training_loss"].find(k => metrics.some(m => typeof m[k] === "number"));
    const evalKey = ["eval_loss", "val_loss", "validation_loss"].find(k => metrics.some(m => typeof m[k] === "number"));
    if (!lossKey && !evalKey) return null;
    const W = 800, H = 260, P = 40;
    const points = k => metrics.map((m, i) => [typeof m.step === "number" ? m.step : i, m[k]]).filter(p => typeof p[1] === "number");
    const all = [].concat(lossKey ? points(lossKey) : [], evalKey ? points(evalKey) : []);
    const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-9);
    const sx = x => P + (x - x0) / (x1 - x0) * (W - 2 * P), sy = y => H - P - (y - y0) / (y1 - y0) * (H - 2 * P);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "loss");
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      Object.entries(attrs).forEach(([k, v]) => n.setAttribute(k, v));
      if (text !== undefined) n.textContent = text;
      svg.append(n);
    };
    add("line", { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: "#999" });
    add("line", { x1: P, y1: P, x2: P, y2: H - P, stroke: "#999" });
    add("text", { x: 2, y: P, "font-size": 11 }, y1.toFixed(3));
    add("text", { x: 2, y: H - P, "font-size": 11 }, y0.toFixed(3));
    add("text", { x: W - P, y: H - 10, "font-size": 11, "text-anchor": "end" }, "step " + x1);
    [[lossKey, "#2f6f4f"], [evalKey, "#c2410c"]].forEach(([k, color], i) => {
      if (!k) return;
      const d = points(k).map((p, j) => (j ? "L" : "M") + sx(p[0]).toFixed(1) + " " + sy(p[1]).toFixed(1)).join(" ");
      add("path", { d, fill: "none", stroke: color, "stroke-width": 1.5 });
      // Sparse series (an eval loss every few hundred steps) also get markers, so one point still shows.
      if (points(k).length <= 60) {
        points(k).forEach(p => add("circle", { cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 3, fill: color }));
      }
      add("text", { x: W - P, y: P + 14 * i, "font-size": 12, fill: color, "text-anchor": "end" }, k);
    });
    return svg;
  }

  async function lossImage() {
    const response = await fetch("/api/checkpoint/loss.png", { headers: trellis.headers() });
    if (!response.ok) throw new Error("loss.png: " + response.status);
    return el("img", { class: "loss", alt: "training loss curve", src: URL.createObjectURL(await response.blob()) });
  }

  async function load() {
    const section = id => document.getElementById(id);
    let data;
    try {
      data = await trellis.fetchJson("/api/checkpoint");
    } catch (e) {
      section("model").replaceChildren(el("h2", {}, ["Model"]), el("p", { class: "msg error" }, [e.message]));
      return;
    }
    document.getElementById("model-name").textContent = data.model;
    if (!data.checkpoint) {
      section("model").replaceChildren(el("h2", {}, ["Model"]), keyValues({ id: data.model }),
        el("p", { class: "muted" }, ["This server was started without a checkpoint directory, so there is no training record to show."]));
      ["provenance", "loss", "evaluation"].forEach(id => section(id).hidden = true);
      return;
    }
    const config = data.config || {};
    section("model").replaceChildren(el("h2", {}, ["Model"]), keyValues(Object.assign({ id: data.model, checkpoint: data.checkpoint },
      unreadable(config) ? {} : Object.fromEntries(Object.entries(config).filter(([, v]) => typeof v !== "object")))));

    const manifest = data.manifest;
    const provenance = [el("h2", {}, ["Training provenance"])];
    if (!manifest) provenance.push(el("p", { class: "muted" }, ["No trellis.json in the checkpoint."]));
    else if (unreadable(manifest)) provenance.push(unreadable(manifest));
    else {
      const flat = {};
      Object.entries(manifest).forEach(([k, v]) => {
        if (v && typeof v === "object" && !Array.isArray(v)) Object.entries(v).forEach(([k2, v2]) => flat[k + "." + k2] = v2);
        else flat[k] = v;
      });
      provenance.push(keyValues(flat));
    }
    section("provenance").replaceChildren(...provenance);

    const loss = [el("h2", {}, ["Loss"])];
    if (data.loss_png) {
      try { loss.push(await lossImage()); } catch (e) { loss.push(el("p", { class: "muted" }, [e.message])); }
    } else if (Array.isArray(data.metrics) && lossSvg(data.metrics)) {
      loss.push(lossSvg(data.metrics));
    } else {
      loss.push(unreadable(data.metrics) || el("p", { class: "muted" }, ["No loss.png or metrics.jsonl in the checkpoint yet."]));
    }
    section("loss").replaceChildren(...loss);

    const evaluation = [el("h2", {}, ["Evaluation"])];
    if (Array.isArray(data.eval) && data.eval.length) evaluation.push(table(data.eval.slice(0, 500)));
    else if (unreadable(data.eval)) evaluation.push(unreadable(data.eval));
    if (data.eval_md) evaluation.push(markdown(data.eval_md));
    if (evaluation.length === 1) evaluation.push(el("p", { class: "muted" }, ["Not evaluated yet (no eval.jsonl or eval.md)."]));
    section("evaluation").replaceChildren(...evaluation);
  }

  // Live serving figures from /health, refreshed every two seconds.
  function bytes(n) {
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(2) + " GiB";
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
    return (n / 1024).toFixed(1) + " KiB";
  }

  async function serving() {
    try {
      const h = await trellis.fetchJson("/health");
      const figures = { status: h.status, scheduler: h.scheduler, queued: h.queued, "queue capacity": h.queue_capacity };
      if (h.batch) {
        figures["batch size"] = h.batch.size + " / " + h.batch.max_size;
        figures["waiting for the batch"] = h.batch.waiting;
        figures["tokens/s"] = h.batch.tokens_per_second;
        figures["KV cache"] = bytes(h.batch.kv_cache_bytes) + " of " + bytes(h.batch.kv_cache_budget_bytes);
        figures["tokens generated"] = h.batch.generated_tokens;
        figures["requests completed"] = h.batch.completed;
      } else {
        figures["workers busy"] = h.active + " / " + h.workers;
      }
      document.getElementById("serving").replaceChildren(el("h2", {}, ["Serving now"]), keyValues(figures));
    } catch (e) {
      document.getElementById("serving").replaceChildren(el("h2", {}, ["Serving now"]), el("p", { class: "muted" }, [e.message]));
    }
  }

  load();
  serving();
  setInterval(serving, 2000);
})();
