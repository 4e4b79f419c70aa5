package dev.trellis.finetune.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.trellis.finetune.tokenizer.TrellisTokenizer;

/**
 * Turns examples into causal-LM training sequences, the course's {@code tokenize_function} done
 * carefully.
 *
 * <pre>{@code
 * TokenizedDataset train = DatasetTokenizer.builder()
 *         .tokenizer(tokenizer)
 *         .template(InstructionTemplate.QUESTION_ANSWER)
 *         .maxLength(2048)                 // the course's cap
 *         .truncationSide(Side.LEFT)       // the course cuts the start, keeping the answer
 *         .build()
 *         .tokenize(split.train());
 * }</pre>
 *
 * <p>Each sequence is {@code prompt tokens + answer tokens + eos}. Prompt and answer are encoded
 * separately, so the boundary between what is masked and what is learned is exact. Labels equal
 * the input ids, with the prompt masked to -100 by default (learn to answer, not to ask);
 * {@code trainOnPrompt(true)} restores the course's unmasked behaviour. Batches pad with the
 * end-of-sequence id, as the course sets {@code pad_token = eos_token}, and padding is never labelled.
 */
public final class DatasetTokenizer {

    private final TrellisTokenizer tokenizer;
    private final InstructionTemplate template;
    private final int maxLength;
    private final Side truncationSide;
    private final boolean truncate;
    private final boolean trainOnPrompt;
    private final boolean appendEos;
    private final boolean packing;
    private final BadRecordPolicy policy;

    private DatasetTokenizer(Builder b) {
        this.tokenizer = Objects.requireNonNull(b.tokenizer, "tokenizer is required");
        this.template = b.template;
        this.maxLength = b.maxLength;
        this.truncationSide = b.truncationSide;
        this.truncate = b.truncate;
        this.trainOnPrompt = b.trainOnPrompt;
        this.appendEos = b.appendEos;
        this.packing = b.packing;
        this.policy = b.policy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Applies the template to {@code dataset} and tokenizes it. */
    public TokenizedDataset tokenize(InstructionDataset dataset) {
        return tokenize(dataset.hydrate(template), dataset.source());
    }

    /** Tokenizes already templated examples; {@code source} names them in reports. */
    public TokenizedDataset tokenize(List<PromptCompletion> examples, String source) {
        List<TokenizedExample> singles = new ArrayList<>(examples.size());
        List<BadRecord> bad = new ArrayList<>();
        int truncated = 0;
        int eos = tokenizer.eosTokenId();
        int pad = tokenizer.padTokenId();
        for (PromptCompletion pc : examples) {
            int[] p = pc.prompt().isEmpty() ? new int[0] : tokenizer.encode(pc.prompt());
            int[] c = tokenizer.encode(pc.completion());
            if (contains(p, eos) || contains(c, eos) || contains(p, pad) || contains(c, pad)) {
                bad.add(new BadRecord(source, pc.line(), BadRecord.Reason.CONTROL_TOKEN_IN_TEXT,
                        "the text encodes to the end-of-sequence or pad token (id " + eos + "/" + pad
                                + "), which would cut the example short; remove that token text"));
                continue;
            }
            int n = p.length + c.length + (appendEos ? 1 : 0);
            int[] ids = new int[n];
            int[] labels = new int[n];
            System.arraycopy(p, 0, ids, 0, p.length);
            System.arraycopy(c, 0, ids, p.length, c.length);
            if (appendEos) {
                ids[n - 1] = eos;
            }
            if (trainOnPrompt) {
                System.arraycopy(ids, 0, labels, 0, n);
            } else {
                Arrays.fill(labels, 0, p.length, TokenizedExample.IGNORE_INDEX);
                System.arraycopy(ids, p.length, labels, p.length, n - p.length);
            }
            if (n > maxLength) {
                if (!truncate) {
                    bad.add(new BadRecord(source, pc.line(), BadRecord.Reason.OVER_LONG,
                            n + " tokens > maxLength " + maxLength + " and truncation is off"));
                    continue;
                }
                int from = truncationSide == Side.LEFT ? n - maxLength : 0;
                ids = Arrays.copyOfRange(ids, from, from + maxLength);
                labels = Arrays.copyOfRange(labels, from, from + maxLength);
                truncated++;
            }
            TokenizedExample te = new TokenizedExample(ids, labels);
            if (te.labelCount() == 0) {
                bad.add(new BadRecord(source, pc.line(), BadRecord.Reason.OVER_LONG,
                        n + " tokens; cutting the " + truncationSide.name().toLowerCase() + " side to " + maxLength
                                + " leaves no answer token to learn"));
                continue;
            }
            singles.add(te);
        }
        if (!bad.isEmpty() && policy == BadRecordPolicy.FAIL) {
            throw new BadRecordsException(source, bad);
        }
        List<TokenizedExample> sequences = packing ? pack(singles) : singles;
        long tokens = sequences.stream().mapToLong(TokenizedExample::length).sum();
        long labelled = sequences.stream().mapToLong(TokenizedExample::labelCount).sum();
        PreparationSummary summary = new PreparationSummary(source, template.toMap(), maxLength, truncationSide,
                trainOnPrompt, packing, singles.size(), sequences.size(), truncated, bad.size(), tokens, labelled);
        return new TokenizedDataset(sequences, pad, summary, bad);
    }

    /**
     * Packs whole examples, in order, into sequences of at most {@code maxLength}. Examples are
     * never split; position ids restart per example and the first token of each example is not
     * labelled, so no loss crosses an example boundary.
     */
    private List<TokenizedExample> pack(List<TokenizedExample> singles) {
        List<TokenizedExample> out = new ArrayList<>();
        List<TokenizedExample> current = new ArrayList<>();
        int used = 0;
        for (TokenizedExample e : singles) {
            if (used + e.length() > maxLength && !current.isEmpty()) {
                out.add(join(current, used));
                current.clear();
                used = 0;
            }
            current.add(e);
            used += e.length();
        }
        if (!current.isEmpty()) {
            out.add(join(current, used));
        }
        return out;
    }

    private static TokenizedExample join(List<TokenizedExample> parts, int length) {
        int[] ids = new int[length];
        int[] labels = new int[length];
        int[] pos = new int[length];
        int at = 0;
        for (TokenizedExample e : parts) {
            System.arraycopy(e.inputIds(), 0, ids, at, e.length());
            System.arraycopy(e.labels(), 0, labels, at, e.length());
            System.arraycopy(TokenizedExample.range(e.length()), 0, pos, at, e.length());
            labels[at] = TokenizedExample.IGNORE_INDEX;
            at += e.length();
        }
        return new TokenizedExample(ids, labels, pos);
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** Settings for {@link DatasetTokenizer}. */
    public static final class Builder {
        private TrellisTokenizer tokenizer;
        private InstructionTemplate template = InstructionTemplate.QUESTION_ANSWER;
        private int maxLength = 2048;
        private Side truncationSide = Side.LEFT;
        private boolean truncate = true;
        private boolean trainOnPrompt;
        private boolean appendEos = true;
        private boolean packing;
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        public Builder tokenizer(TrellisTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** The prompt template (default: the course's question/answer template). */
        public Builder template(InstructionTemplate template) {
            this.template = Objects.requireNonNull(template, "template");
            return this;
        }

        /** Longest sequence in tokens, eos included (default 2048, the course's cap). */
        public Builder maxLength(int maxLength) {
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** Which end an over-long example loses (default LEFT, as the course does). */
        public Builder truncationSide(Side side) {
            this.truncationSide = Objects.requireNonNull(side, "side");
            return this;
        }

        /** When false, an over-long example is a bad record instead of being cut (default true). */
        public Builder truncate(boolean truncate) {
            this.truncate = truncate;
            return this;
        }

        /** Label prompt tokens too, as the course's {@code labels = input_ids} does (default false). */
        public Builder trainOnPrompt(boolean trainOnPrompt) {
            this.trainOnPrompt = trainOnPrompt;
            return this;
        }

        /** End each example with the end-of-sequence token so the model learns to stop (default true). */
        public Builder appendEos(boolean appendEos) {
            this.appendEos = appendEos;
            return this;
        }

        /** Pack short examples together into sequences of up to maxLength (default false). */
        public Builder packing(boolean packing) {
            this.packing = packing;
            return this;
        }

        /** FAIL (default) throws listing the bad records; SKIP leaves them out and reports them. */
        public Builder onBadRecord(BadRecordPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public DatasetTokenizer build() {
            return new DatasetTokenizer(this);
        }
    }
}
