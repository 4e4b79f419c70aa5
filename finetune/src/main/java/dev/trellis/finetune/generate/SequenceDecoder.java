package dev.trellis.finetune.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One sequence's decoding state and its token choice from the model's logits: sampling under its
 * own {@link GenerationConfig}, the repetition penalty, stop sequences and end-of-sequence, and the
 * JSON or span constraint. {@link Generator} (a fixed batch) and {@link BatchScheduler} (a batch
 * whose members come and go) both decode through it, so a sequence's tokens depend only on its own
 * prompt, configuration and logits, never on what else shares the batch.
 */
final class SequenceDecoder {

    final int[] prompt;
    final GenerationConfig config;
    private final int eos;
    private final TokenBytes bytes;
    private final boolean[] seen;
    private final Random random;
    private final TextStream text;
    private final ConstrainedState json;
    private final SpanConstraint.State span;
    private final List<Integer> generated = new ArrayList<>();
    private int[] forced;
    private int forcedAt;
    /** Tokens chosen so far, EOS included: the step the next choice is made at. */
    private int steps;
    private boolean done;
    private FinishReason reason = FinishReason.LENGTH;

    SequenceDecoder(int[] prompt, GenerationConfig config, int eos, int vocab, long seed, TokenBytes bytes,
                    TokenTrie trie) {
        this.prompt = prompt;
        this.config = config;
        this.eos = eos;
        this.bytes = bytes;
        this.seen = new boolean[vocab];
        for (int id : prompt) {
            seen[id] = true;
        }
        this.random = new Random(seed);
        this.text = new TextStream(config.stopSequences());
        this.json = config.jsonConstraint() == null ? null : new ConstrainedState(config.jsonConstraint(), trie, bytes);
        this.span = config.spanConstraint() == null ? null : new SpanConstraint.State(config.spanConstraint(), bytes);
    }

    /** Over: stopped, or out of budget with nothing forced left to emit. */
    boolean finished() {
        return done || (steps >= config.maxNewTokens() && !forcing());
    }

    /** The next token comes from a forced closing, not from the model's logits. */
    boolean forcing() {
        return forced != null && forcedAt < forced.length;
    }

    /**
     * Chooses the next token from {@code all}, the batch's last-position logits ([rows * vocab], this
     * sequence's at {@code row}); {@code logits} and {@code allowed} are scratch arrays of the vocabulary's
     * size. {@code all} may be null while {@link #forcing()}.
     */
    int next(float[] all, int row, float[] logits, boolean[] allowed) {
        int vocab = logits.length;
        int step = steps++;
        if (forcing()) {
            return forced[forcedAt++];
        }
        if (json != null) {
            int[] closing = json.accepting() ? new int[0] : json.closingTokens();
            int remaining = config.maxNewTokens() - step;
            if (closing.length > 0 && closing.length >= remaining) {
                forced = closing;
                forcedAt = 1;
                return closing[0];
            }
        }
        System.arraycopy(all, row * vocab, logits, 0, vocab);
        Sampling.repetitionPenalty(logits, seen, config.repetitionPenalty());
        if (json != null) {
            json.allowed(allowed, config.stopAtEos() ? eos : -1);
            boolean any = false;
            for (boolean a : allowed) {
                any |= a;
            }
            if (!any) {
                int[] closing = json.closingTokens();
                forced = closing;
                forcedAt = 1;
                return closing[0];
            }
            Sampling.mask(logits, allowed);
        } else if (span != null) {
            span.allowed(allowed, eos);
            if (!config.stopAtEos() && eos < vocab) {
                allowed[eos] = false;
            }
            Sampling.mask(logits, allowed);
        } else if (!config.stopAtEos() && eos < vocab) {
            logits[eos] = Float.NEGATIVE_INFINITY;
        }
        int token = Sampling.choose(logits, config, random);
        if (json != null && !json.accepting()) {
            // A token may open a structure whose shortest closing no longer fits the budget: close now instead,
            // so that a budget big enough to close the document is never overrun.
            int[] closing = json.closingTokens();
            int remaining = config.maxNewTokens() - step;
            int after = json.closingLengthAfter(token);
            if (closing.length > 0 && closing.length <= remaining && after > remaining - 1) {
                forced = closing;
                forcedAt = 1;
                return closing[0];
            }
        }
        return token;
    }

    /** Takes {@code token} into the output; returns the text it completes (empty when none yet). */
    String accept(int token) {
        seen[token] = true;
        if (token == eos && config.stopAtEos() && (json == null || json.accepting())) {
            done = true;
            reason = FinishReason.STOP;
            return "";
        }
        generated.add(token);
        if (json != null) {
            json.advance(token);
        }
        if (span != null) {
            span.advance(token);
        }
        byte[] b = bytes.bytes(token);
        if (b != null && text.append(b)) {
            done = true;
            reason = FinishReason.STOP_SEQUENCE;
        }
        String delta = text.delta();
        if (!done && json != null && json.finished()) {
            done = true;
            reason = forced != null ? FinishReason.LENGTH : FinishReason.STOP;
        }
        return delta;
    }

    /** Ends the sequence: the text held back (a possible stop sequence's start) and the result. */
    GenerationResult finish(java.util.function.Consumer<String> remainder) {
        String all = text.finish();
        String rest = text.remainder();
        if (!rest.isEmpty()) {
            remainder.accept(rest);
        }
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        return new GenerationResult(all, ids, prompt.length, reason);
    }

    int generatedTokens() {
        return generated.size();
    }
}
